package io.zgrnet.stream;

/**
 * Counters of a mux, each with a stable id (its ordinal) and a label. Every received frame that is
 * not used increments exactly one {@code DROP_}/{@code IGNORED_} counter.
 */
public enum MuxCounter {
    FRAMES_RECEIVED("frames received"),
    FRAMES_SENT("frames sent"),
    STREAMS_OPENED("streams opened locally"),
    STREAMS_ACCEPTED("streams opened by the peer and queued for accept"),
    DROP_FRAME_TOO_SHORT("frames dropped: shorter than header + length"),
    DROP_FRAME_INVALID_COMMAND("frames dropped: command not 1-4"),
    DROP_PSH_UNKNOWN_STREAM("PSH dropped: unknown stream id (no reset exists)"),
    DROP_PSH_CLOSED_STREAM("PSH dropped: stream closing, its KCP released"),
    IGNORED_FIN_UNKNOWN_STREAM("FIN ignored: unknown stream id"),
    IGNORED_SYN_DUPLICATE("SYN ignored: stream id already in use"),
    IGNORED_NOP("NOP frames (ignored)"),
    REFUSED_STREAM_LIMIT("SYN refused with FIN: maxStreams reached"),
    REFUSED_ACCEPT_QUEUE_FULL("SYN refused with FIN: accept queue full"),
    OPEN_REFUSED_STREAM_LIMIT("local opens refused: maxStreams reached"),
    EARLY_FIN_REMEMBERED("FIN before SYN remembered"),
    EARLY_FIN_APPLIED("streams created already half-closed by an earlier FIN"),
    SYN_RESENT("SYN re-sent (no answer from the peer yet)"),
    FIN_SENT("FIN frames sent, repeats included"),
    LINGER_EXPIRED("closes whose data was not acknowledged within the linger time (discarded)"),
    IDLE_TIMEOUTS("streams ended by the idle timeout"),
    BYTES_DISCARDED_AFTER_CLOSE("bytes received after the local close (discarded)"),
    RESETS("streams reset by Mux.close");

    private final String label;

    MuxCounter(String label) {
        this.label = label;
    }

    /** A human-readable description. */
    public String label() {
        return label;
    }
}
