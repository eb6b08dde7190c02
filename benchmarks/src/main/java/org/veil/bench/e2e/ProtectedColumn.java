package org.veil.bench.e2e;

/**
 * The two columns of the benchmark row that a contender protects. The other three ({@code id},
 * {@code amount}, {@code created_at}) are always stored in the clear.
 */
public enum ProtectedColumn {
  /** About 20 bytes; the column looked up by equality where the contender can do that. */
  EMAIL("email"),
  /** About 200 bytes; always randomized where the contender distinguishes modes. */
  NOTE("note");

  private final String sqlName;

  ProtectedColumn(String sqlName) {
    this.sqlName = sqlName;
  }

  /** The column's name in every contender's table. */
  public String sqlName() {
    return sqlName;
  }
}
