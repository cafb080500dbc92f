package io.zgrnet.sys;

import java.io.IOException;

/** A failed native call: names the call and the errno it returned. */
public class NativeException extends IOException {
    private final String call;
    private final int errno;

    /**
     * @param call the call that failed, e.g. "bind(127.0.0.1:5000)"
     * @param errno the errno it set
     */
    public NativeException(String call, int errno) {
        super(call + " failed: " + Errno.describe(errno));
        this.call = call;
        this.errno = errno;
    }

    /** The call that failed. */
    public String call() {
        return call;
    }

    /** The errno it set. */
    public int errno() {
        return errno;
    }
}
