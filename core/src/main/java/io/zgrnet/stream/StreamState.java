package io.zgrnet.stream;

/** A stream's state (services.md §3.4), named as Go names them. */
public enum StreamState {
    /** Both directions open. */
    OPEN("open"),
    /** We closed (sent or will send FIN); no more writes. */
    LOCAL_CLOSE("local_close"),
    /** The peer sent FIN; reads end once buffered data is read; writes still allowed. */
    REMOTE_CLOSE("remote_close"),
    /** Both closed, or ended by idle timeout, refusal or mux reset. */
    CLOSED("closed");

    private final String label;

    StreamState(String label) {
        this.label = label;
    }

    /** Go's name of the state ({@code StreamState.String()}). */
    public String label() {
        return label;
    }
}
