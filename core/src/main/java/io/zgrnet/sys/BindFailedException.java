package io.zgrnet.sys;

/**
 * {@code bind(2)} refused the address (EADDRINUSE, EADDRNOTAVAIL, EACCES): the address is the
 * problem, so trying another backend on it would fail the same way.
 */
public final class BindFailedException extends NativeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param address the address, as "HOST:PORT"
     * @param errno the errno bind set
     */
    public BindFailedException(String address, int errno) {
        super("bind(" + address + ")", errno);
    }
}
