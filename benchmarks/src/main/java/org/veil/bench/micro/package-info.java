/**
 * JMH microbenchmarks, run by {@link org.veil.bench.RunAll}.
 *
 * <ul>
 *   <li>{@link org.veil.bench.micro.AesGcmFloorBenchmark}: raw JDK AES-256-GCM with a reused
 *       {@code Cipher} at 16 B, 64 B, 256 B and 4 KiB, the floor;
 *       {@link org.veil.bench.micro.IvSourceBenchmark}: the share of a seal that is drawing its
 *       random IV;</li>
 *   <li>{@link org.veil.bench.micro.KdfBenchmark}: format v3's row key derivation against
 *       HKDF-SHA256;</li>
 *   <li>{@link org.veil.bench.micro.ScanRowBenchmark}: a scanned row's two cells opened, against
 *       the static-key floor, time and bytes allocated per row;</li>
 *   <li>{@link org.veil.bench.micro.CellCodecBenchmark}: Veil's cell codec, seal and open per
 *       value type and size, randomized and deterministic, a row's first cell and later cells,
 *       per provider;</li>
 *   <li>{@link org.veil.bench.micro.StatementAnalysisBenchmark}: statement analysis of a cached
 *       and an uncached SQL text;</li>
 *   <li>{@code org.veil.jdbc.ResultColumnLookupBenchmark}: the result-column lookup, in the
 *       driver's package because it is package-private there.</li>
 * </ul>
 */
package org.veil.bench.micro;
