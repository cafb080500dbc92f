/**
 * zgrnet-java: zgrnet's encrypted UDP transport for the JVM.
 *
 * <p>The public API is {@link io.zgrnet.UDP} and the types of package {@code io.zgrnet}, plus the
 * configuration values of {@code io.zgrnet.config}. Everything else is implementation, opened only
 * to this project's CLI and benchmark modules (when they run as named modules; on the class path,
 * which the {@code zgrnet} launcher uses, a module's exports are not enforced).
 *
 * <p>Native code is reached through {@code java.lang.foreign} only: run with
 * {@code --enable-native-access=io.zgrnet} (or {@code ALL-UNNAMED} on the class path).
 */
module io.zgrnet {
    exports io.zgrnet;
    exports io.zgrnet.config;

    exports io.zgrnet.crypto to io.zgrnet.cli, io.zgrnet.bench;
    exports io.zgrnet.host to io.zgrnet.cli, io.zgrnet.bench;
    exports io.zgrnet.io to io.zgrnet.cli, io.zgrnet.bench;
    exports io.zgrnet.io.mmsg to io.zgrnet.cli, io.zgrnet.bench;
    exports io.zgrnet.io.nio to io.zgrnet.cli, io.zgrnet.bench;
    exports io.zgrnet.io.select to io.zgrnet.cli, io.zgrnet.bench;
    exports io.zgrnet.io.uring to io.zgrnet.cli, io.zgrnet.bench;
    exports io.zgrnet.kcp to io.zgrnet.cli, io.zgrnet.bench;
    exports io.zgrnet.netsim to io.zgrnet.cli, io.zgrnet.bench;
    exports io.zgrnet.noise to io.zgrnet.cli, io.zgrnet.bench;
    exports io.zgrnet.peer to io.zgrnet.cli, io.zgrnet.bench;
    exports io.zgrnet.ping to io.zgrnet.cli, io.zgrnet.bench;
    exports io.zgrnet.pipeline to io.zgrnet.cli, io.zgrnet.bench;
    exports io.zgrnet.relay to io.zgrnet.cli, io.zgrnet.bench;
    exports io.zgrnet.stream to io.zgrnet.cli, io.zgrnet.bench;
    exports io.zgrnet.sys to io.zgrnet.cli, io.zgrnet.bench;
    exports io.zgrnet.wire to io.zgrnet.cli, io.zgrnet.bench;
}
