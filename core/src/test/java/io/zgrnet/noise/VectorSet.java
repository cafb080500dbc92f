package io.zgrnet.noise;

import static io.zgrnet.testing.Vectors.bytes;
import static io.zgrnet.testing.Vectors.u32;

import com.fasterxml.jackson.databind.JsonNode;

/** The handshake inputs of one vector file, as key pairs and indices. */
record VectorSet(JsonNode v, KeyPair initiatorStatic, KeyPair responderStatic, KeyPair initiatorEphemeral,
                 KeyPair responderEphemeral, int initiatorIndex, int responderIndex) {

    static VectorSet of(JsonNode v) {
        JsonNode in = v.path("inputs");
        return new VectorSet(v,
                KeyPair.fromPrivate(bytes(in.path("initiator_static_private"))),
                KeyPair.fromPrivate(bytes(in.path("responder_static_private"))),
                KeyPair.fromPrivate(bytes(in.path("initiator_ephemeral_private"))),
                KeyPair.fromPrivate(bytes(in.path("responder_ephemeral_private"))),
                u32(in.path("initiator_sender_index")),
                u32(in.path("responder_sender_index")));
    }

    Initiator startInitiator(HandshakeTrace trace) throws Exception {
        return Initiator.start(initiatorStatic, responderStatic.publicKey(), initiatorIndex, initiatorEphemeral, trace);
    }

    byte[] initWire() {
        return bytes(v.path("handshake").path("handshake_init_wire"));
    }

    byte[] respWire() {
        return bytes(v.path("handshake").path("handshake_resp_wire"));
    }
}
