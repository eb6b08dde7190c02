/**
 * JMH microbenchmarks.
 *
 * <p>Present: {@link org.veil.bench.micro.AesGcmFloorBenchmark}, raw JDK AES-256-GCM with a
 * reused {@code Cipher} at 16 B, 64 B, 256 B and 4 KiB; {@link org.veil.bench.micro.IvSourceBenchmark},
 * the share of a seal that is drawing its random IV.
 *
 * <p>Not yet present, because the code they measure is not on the main line yet; each lands
 * with, or right after, the code it measures:
 * <ul>
 *   <li>cell seal and open per value type (text, bytes, int, long, numeric, timestamp, uuid…)
 *       at 16 B, 256 B and 4 KiB, randomized and deterministic: {@code org.veil.crypto}'s cell
 *       codec, sealing through a row seal obtained per row and opening the cell bytes, with the
 *       branch key already unwrapped (warm) and, separately, with the row-key unwrap on every
 *       open (cold);</li>
 *   <li>statement analysis of one SQL text, cached and uncached: {@code org.veil.sql}'s
 *       analysis of a PreparedStatement's text into its statement plan (which {@code ?} binds
 *       which column);</li>
 *   <li>the result-column lookup: {@code org.veil.jdbc}'s mapping of a result set's columns to
 *       their base table and column from the server's row description.</li>
 * </ul>
 */
package org.veil.bench.micro;
