package io.zgrnet.cli.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Every receiver {@code zgrnet bench} knows, in report order: zgrnet-java's receive paths, the C
 * references and the JVM peers a user would pick instead (Netty). A new receiver is one entry
 * here; the default run, {@code --quick}, {@code --backends}, the zero-loss search and the help
 * text all read this list.
 */
public final class Receivers {
    /** Where an entry runs when {@code --backends} does not name it. */
    public enum Scope {
        /** In the default run at every size, and in {@code --quick}. */
        ALWAYS,
        /** In the default run at every size, not in {@code --quick}. */
        DEFAULT,
        /** In the default run at the first size only (its question is pps or a ratio), not in quick. */
        FIRST_SIZE,
        /** Only when named. */
        NAMED
    }

    /**
     * One receiver.
     *
     * @param name the row name and the {@code --backends} name
     * @param family "zgrnet", "C" or "Netty": which rows compare with which
     * @param scope where it runs unless named
     * @param zeroLoss whether the default run searches its zero-loss rate
     * @param what one line for the help text and docs
     * @param kind opens it (and says why it cannot run here)
     */
    public record Entry(String name, String family, Scope scope, boolean zeroLoss, String what,
                        Supplier<Receiver.Kind> kind) {
    }

    private final List<Entry> entries;

    private Receivers(List<Entry> entries) {
        this.entries = entries;
    }

    /**
     * The registry. The C receivers are built from {@code nativeSources} into {@code nativeBuild}
     * the first time one of them is asked for (see {@link NativeReceivers#prepare}).
     */
    public static Receivers standard(Path nativeSources, Path nativeBuild) {
        Lazy<NativeReceivers> natives = new Lazy<>(() -> NativeReceivers.prepare(nativeSources, nativeBuild));
        List<Entry> e = new ArrayList<>();
        e.add(java("uring-multishot", Scope.ALWAYS, true,
                "io_uring multishot RECVMSG over a buffer ring (the default backend)"));
        e.add(java("uring-multishot-gro", Scope.FIRST_SIZE, false, "the same with UDP_GRO"));
        e.add(java("uring-armed", Scope.DEFAULT, false, "io_uring, 256 armed RECVMSG (kernels without multishot)"));
        e.add(java("uring-armed-32", Scope.NAMED, false, "io_uring, 32 armed RECVMSG (the depth A/B of"
                + " docs/BENCHMARKS.md: fewer requests parked on the socket's poll)"));
        e.add(java("mmsg", Scope.ALWAYS, true, "recvmmsg"));
        e.add(java("mmsg-gro", Scope.FIRST_SIZE, false, "recvmmsg with UDP_GRO"));
        e.add(java("nio", Scope.DEFAULT, false, "JDK DatagramChannel (the portable backend)"));
        e.add(new Entry("c-recvmmsg", "C", Scope.ALWAYS, false, "C recvmmsg loop (bench/native)",
                () -> natives.get().kind("c-recvmmsg")));
        e.add(new Entry("c-recvmmsg-gro", "C", Scope.NAMED, false, "the same with UDP_GRO, counting segments",
                () -> natives.get().kind("c-recvmmsg-gro")));
        e.add(new Entry("c-uring-multishot", "C", Scope.ALWAYS, false,
                "C liburing multishot RECVMSG over a buffer ring (needs liburing-dev)",
                () -> natives.get().kind("c-uring-multishot")));
        e.add(new Entry("netty-epoll-mmsg", "Netty", Scope.DEFAULT, false,
                "Netty " + NettyReceiver.VERSION + " epoll datagram channel with recvmmsg",
                () -> NettyReceiver.kind(NettyReceiver.Transport.EPOLL_RECVMMSG)));
        e.add(new Entry("netty-uring", "Netty", Scope.DEFAULT, false,
                "Netty " + NettyReceiver.VERSION + " io_uring datagram channel",
                () -> NettyReceiver.kind(NettyReceiver.Transport.IO_URING)));
        e.add(new Entry("uring-multishot/x2", "zgrnet", Scope.FIRST_SIZE, false,
                "two SO_REUSEPORT shards of uring-multishot, one ring and thread each",
                () -> ShardedReceiver.kind(JavaReceiver.kind("uring-multishot"), 2)));
        return new Receivers(List.copyOf(e));
    }

    private static Entry java(String name, Scope scope, boolean zeroLoss, String what) {
        return new Entry(name, "zgrnet", scope, zeroLoss, what, () -> JavaReceiver.kind(name));
    }

    /** Every entry, in report order. */
    public List<Entry> entries() {
        return entries;
    }

    /** The default selection ({@code quick}: the {@link Scope#ALWAYS} ones). */
    public List<Entry> defaults(boolean quick) {
        return entries.stream().filter(e -> quick ? e.scope() == Scope.ALWAYS : e.scope() != Scope.NAMED).toList();
    }

    /**
     * An entry by name, or "NAME/xN" for N SO_REUSEPORT shards of a zgrnet receiver.
     *
     * @throws IllegalArgumentException naming the known receivers
     */
    public Entry find(String name) {
        for (Entry e : entries) {
            if (e.name().equals(name)) {
                return e;
            }
        }
        int x = name.lastIndexOf("/x");
        if (x > 0) {
            String base = name.substring(0, x);
            int shards;
            try {
                shards = Integer.parseInt(name.substring(x + 2));
            } catch (NumberFormatException ex) {
                shards = -1;
            }
            if (shards < 1 || shards > 16) {
                throw new IllegalArgumentException(name + ": shards must be 1..16");
            }
            boolean javaBase = entries.stream().anyMatch(e -> e.name().equals(base) && e.family().equals("zgrnet")
                    && !e.name().contains("/x"));
            if (!javaBase) {
                throw new IllegalArgumentException(name + ": only zgrnet receivers shard (" + String.join(",",
                        entries.stream().filter(e -> e.family().equals("zgrnet") && !e.name().contains("/x"))
                                .map(Entry::name).toList()) + ")");
            }
            int n = shards;
            return new Entry(name, "zgrnet", Scope.NAMED, false, n + " SO_REUSEPORT shards of " + base,
                    () -> ShardedReceiver.kind(JavaReceiver.kind(base), n));
        }
        throw new IllegalArgumentException("unknown receiver " + name + " (known: " + String.join(",",
                entries.stream().map(Entry::name).toList()) + ", and NAME/xN)");
    }

    /** A value computed once, on first use. Not thread-safe: the harness thread only. */
    private static final class Lazy<T> {
        private final Supplier<T> make;
        private T value;

        Lazy(Supplier<T> make) {
            this.make = make;
        }

        T get() {
            if (value == null) {
                value = make.get();
            }
            return value;
        }
    }
}
