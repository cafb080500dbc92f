package io.zgrnet.stream;

/**
 * Events of a mux, called on the owner thread from inside {@code Mux.input}/{@code update} or a
 * stream call. A listener may call the stream's methods (read, write, close) and {@link Mux#accept()},
 * but not {@code Mux.input} or {@code Mux.update}. Every method has a no-op default.
 */
public interface StreamListener {
    /** A listener that ignores everything (poll {@link Mux#accept()} and the streams instead). */
    StreamListener NONE = new StreamListener() {
    };

    /** A stream opened by the peer is waiting in {@link Mux#accept()}. */
    default void onAcceptable(Mux mux) {
    }

    /** New data (or the end of the stream) can be read. */
    default void onReadable(Stream stream) {
    }

    /** A write that was refused for lack of room may now succeed. */
    default void onWritable(Stream stream) {
    }

    /** The stream left the mux (closed, reset, refused or idle); see {@link Stream#closeReason()}. */
    default void onClosed(Stream stream) {
    }
}
