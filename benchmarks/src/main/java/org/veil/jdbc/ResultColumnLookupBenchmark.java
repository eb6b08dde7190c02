package org.veil.jdbc;

import java.sql.ResultSetMetaData;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.postgresql.PGResultSetMetaData;
import org.veil.config.ColumnPolicy;
import org.veil.config.EncryptedColumns;
import org.veil.config.EncryptionMode;

/**
 * The result-column lookup ({@code ResultColumns.of}): which of a result's five columns are
 * encrypted, from the base schema, table and column pgjdbc reports for each, done once per
 * executed query. It is package-private in {@code org.veil.jdbc}; this class is in that package
 * (in the benchmarks module), which the JVM allows because the driver is not a named module and
 * both are on one class path (see {@link VeilInternals}).
 *
 * <p>The metadata is a stand-in answering as pgjdbc does once it has fetched the base columns
 * (pgjdbc's own first-time catalog query per connection and table is not Veil's cost and is in
 * the end-to-end figures), so this measures Veil's part alone.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ResultColumnLookupBenchmark {

  private static final String[] COLUMNS = {"id", "email", "note", "amount", "created_at"};

  private VeilInternals.ResultColumnLookup lookup;
  private ResultSetMetaData metadata;

  @Setup
  public void setUp() throws Exception {
    lookup = new VeilInternals.ResultColumnLookup(EncryptedColumns.of(List.of(
        ColumnPolicy.of("public", "bench_veil", "email", EncryptionMode.DETERMINISTIC),
        ColumnPolicy.of("public", "bench_veil", "note", EncryptionMode.RANDOMIZED))));
    metadata = new BaseColumns();
    if (lookup.lookUp(metadata) != 2) {
      throw new IllegalStateException("expected two encrypted result columns");
    }
  }

  @Benchmark
  public int lookUp() throws Exception {
    return lookup.lookUp(metadata);
  }

  /**
   * Answers as pgjdbc's result metadata does once it knows the base columns: plain field reads,
   * no reflection, so the measured time is Veil's.
   */
  private static final class BaseColumns extends ForwardingResultSetMetaData<ResultSetMetaData>
      implements PGResultSetMetaData {
    BaseColumns() {
      // The forwarding base wants a delegate; every method the lookup calls is answered here.
      super((ResultSetMetaData) java.lang.reflect.Proxy.newProxyInstance(
          ResultSetMetaData.class.getClassLoader(), new Class<?>[] {ResultSetMetaData.class},
          (proxy, method, args) -> {
            throw new UnsupportedOperationException(method.getName());
          }));
    }

    @Override
    public <T> T unwrap(Class<T> iface) {
      return iface.cast(this);
    }

    @Override
    public int getColumnCount() {
      return COLUMNS.length;
    }

    @Override
    public String getBaseColumnName(int column) {
      return COLUMNS[column - 1];
    }

    @Override
    public String getBaseTableName(int column) {
      return "bench_veil";
    }

    @Override
    public String getBaseSchemaName(int column) {
      return "public";
    }

    @Override
    public int getFormat(int column) {
      return 0;
    }
  }
}
