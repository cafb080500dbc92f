package io.zgrnet.noise;

/** The result of reading a handshake initiation: a {@link ReceivedInit} or a {@link HandshakeFailure}. */
public sealed interface InitOutcome permits ReceivedInit, HandshakeFailure {
}
