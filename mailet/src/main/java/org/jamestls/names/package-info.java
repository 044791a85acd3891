/**
 * Host and domain names: the one normaliser every package compares, caches and looks names up with
 * ({@link org.jamestls.names.HostNames}). Depends on nothing else of the mailet.
 */
package org.jamestls.names;
