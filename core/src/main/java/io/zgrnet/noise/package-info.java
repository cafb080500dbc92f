/**
 * zgrnet's IK handshake ("Noise_IK_25519_ChaChaPoly_BLAKE2s" in name, not quite Noise: an extra
 * {@code MixKey("")} precedes each encryption, and an empty non-final payload is omitted).
 *
 * <p>Each phase is its own type, and each type is immutable apart from a one-shot "used" flag:
 * <pre>
 *   initiator: {@link io.zgrnet.noise.Initiator#start} → message 1 → {@link io.zgrnet.noise.Initiator#readResponse} → {@link io.zgrnet.noise.SessionKeys}
 *   responder: {@link io.zgrnet.noise.Responder#readInit} → {@link io.zgrnet.noise.ReceivedInit} → {@link io.zgrnet.noise.ReceivedInit#respond} → message 2 + {@link io.zgrnet.noise.SessionKeys}
 * </pre>
 * Reads verify, then commit: every intermediate value lives in a local working state and a failed
 * read (short, wrong type, wrong index, all-zero DH, bad tag) returns a {@link
 * io.zgrnet.noise.HandshakeFailure} and changes nothing, so the genuine message can still follow.
 */
package io.zgrnet.noise;
