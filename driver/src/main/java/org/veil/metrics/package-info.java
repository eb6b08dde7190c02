/**
 * What the driver did, counted: key provider calls, key cache traffic, cells sealed and opened,
 * refusals by reason. {@link org.veil.metrics.VeilDiagnostics} is the read-only view an
 * application reaches through {@code unwrap}; {@link org.veil.metrics.VeilMetrics} owns the
 * counters and publishes them to Micrometer (when it is on the class path) and to JMX (when
 * {@code veil.metrics.jmx=true}). Counters are {@code LongAdder}s made once; no metric name or
 * tag carries a key, a key id, a value, a column name or SQL text.
 */
package org.veil.metrics;
