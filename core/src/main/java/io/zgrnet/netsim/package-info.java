/**
 * A bad network on loopback, for tests and benchmarks: {@link io.zgrnet.netsim.LossyForwarder}
 * sits between two transports and drops, duplicates and delays their transport messages at set
 * rates. Not public API (exported to this project's CLI and benchmark modules only).
 */
package io.zgrnet.netsim;
