/**
 * The seam between the transport ({@code io.zgrnet}) and the services that run on it (the relay):
 * a small interface the transport implements and the services use, so that neither package
 * depends on the other. Not public API.
 */
package io.zgrnet.host;
