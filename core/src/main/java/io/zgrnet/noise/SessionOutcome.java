package io.zgrnet.noise;

/** The result of finishing a handshake: {@link SessionKeys} or a {@link HandshakeFailure}. */
public sealed interface SessionOutcome permits SessionKeys, HandshakeFailure {
}
