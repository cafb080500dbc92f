package io.zgrnet.host;

import java.util.function.Function;

/**
 * The access point from a transport object to its {@link ServiceHost} (the JDK's "shared secrets"
 * pattern): the transport class registers how once, when it is initialised; a service asks with
 * the transport object it was given. Neither package imports the other.
 */
public final class ServiceHosts {
    private static volatile Function<Object, ServiceHost<?>> access;

    private ServiceHosts() {
    }

    /**
     * Called once by the transport class.
     *
     * @throws IllegalStateException on a second registration
     */
    public static synchronized void register(Function<Object, ServiceHost<?>> hosts) {
        if (access != null) {
            throw new IllegalStateException("a transport already registered its service hosts");
        }
        access = hosts;
    }

    /**
     * The host of {@code transport}.
     *
     * @throws IllegalArgumentException if {@code transport} is not a transport
     */
    @SuppressWarnings("unchecked")
    public static <K> ServiceHost<K> of(Object transport) {
        Function<Object, ServiceHost<?>> a = access;
        ServiceHost<?> h = a == null ? null : a.apply(transport);
        if (h == null) {
            throw new IllegalArgumentException("transport: not a zgrnet transport: " + transport);
        }
        return (ServiceHost<K>) h;
    }
}
