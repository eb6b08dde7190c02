package org.veil.bench.micro;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.veil.config.ColumnPolicy;
import org.veil.config.EncryptedColumns;
import org.veil.config.EncryptionMode;
import org.veil.sql.StatementAnalyzer;
import org.veil.sql.StatementPlan;

/**
 * Statement analysis ({@code org.veil.sql.StatementAnalyzer}) of the benchmark's INSERT into a
 * table with two encrypted columns: {@link #cached}, the path every {@code prepareStatement} of
 * an already-seen SQL text takes; {@link #uncached}, the JSqlParser parse and plan of a text
 * seen for the first time (the analyzer's private {@code analyze}, called through a method
 * handle so no cache is involved); and {@link #plain}, SQL naming no encrypted table, which is
 * not parsed at all.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class StatementAnalysisBenchmark {

  static final String INSERT = "INSERT INTO bench_veil (id, email, note, amount, created_at)"
      + " VALUES (?, ?, ?, ?, ?)";
  static final String SELECT_BY_EMAIL = "SELECT id, email, note, amount, created_at"
      + " FROM bench_veil WHERE email = ?";
  static final String PLAIN = "SELECT id, amount, created_at FROM other_table WHERE id = ?";

  private StatementAnalyzer analyzer;
  private MethodHandle analyze;

  @Setup
  public void setUp() throws Throwable {
    analyzer = new StatementAnalyzer(EncryptedColumns.of(List.of(
        ColumnPolicy.of("public", "bench_veil", "email", EncryptionMode.DETERMINISTIC),
        ColumnPolicy.of("public", "bench_veil", "note", EncryptionMode.RANDOMIZED))), 2000);
    analyzer.analyzePrepared(INSERT);
    var lookup = MethodHandles.privateLookupIn(StatementAnalyzer.class, MethodHandles.lookup());
    analyze = lookup.findVirtual(StatementAnalyzer.class, "analyze",
        MethodType.methodType(StatementPlan.class, String.class));
    if (((StatementPlan) analyze.invoke(analyzer, INSERT)) == StatementPlan.PLAIN) {
      throw new IllegalStateException("the INSERT should bind encrypted columns");
    }
  }

  @Benchmark
  public StatementPlan cached() throws Exception {
    return analyzer.analyzePrepared(INSERT);
  }

  @Benchmark
  public StatementPlan uncached() throws Throwable {
    return (StatementPlan) analyze.invoke(analyzer, INSERT);
  }

  @Benchmark
  public StatementPlan uncachedSelect() throws Throwable {
    return (StatementPlan) analyze.invoke(analyzer, SELECT_BY_EMAIL);
  }

  @Benchmark
  public StatementPlan plain() throws Exception {
    return analyzer.analyzePrepared(PLAIN);
  }
}
