/**
 * Bounded state: {@link org.jamestls.cache.TimedCache}, the one map type for anything the mailet remembers per
 * domain, host or DNS question, so that every such memory has a size bound and a time bound.
 */
package org.jamestls.cache;
