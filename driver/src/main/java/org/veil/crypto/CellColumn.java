package org.veil.crypto;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * What the cryptography knows of an encrypted column: its name (for messages), how it is sealed,
 * the context bound into its cells' associated data, and whether its cells are bound to their
 * row ({@code :bind}). Built once per configured column; immutable and thread-safe.
 * {@link #toString()} shows the name and mode.
 */
public final class CellColumn {

  private final String name;
  private final String context;
  private final boolean deterministic;
  private final boolean bound;
  /** The context's UTF-8 bytes: versions 1 and 2 append them to the associated data as they are. */
  private final byte[] contextBytes;
  /** Version 3: the context with its length in front, so that a binding may follow it. */
  private final byte[] framedContext;

  private CellColumn(String name, String context, boolean deterministic, boolean bound) {
    this.name = Objects.requireNonNull(name, "name");
    this.context = Objects.requireNonNull(context, "context");
    this.deterministic = deterministic;
    this.bound = bound;
    if (deterministic && bound) {
      throw new IllegalArgumentException("column " + name + " cannot be both deterministic and"
          + " bound to its row: equal values must give equal cells in every row");
    }
    this.contextBytes = context.getBytes(StandardCharsets.UTF_8);
    if (contextBytes.length > 0xffff) {
      throw new IllegalArgumentException("the context of column " + name + " is longer than"
          + " 65535 bytes");
    }
    this.framedContext = new byte[2 + contextBytes.length];
    framedContext[0] = (byte) (contextBytes.length >>> 8);
    framedContext[1] = (byte) contextBytes.length;
    System.arraycopy(contextBytes, 0, framedContext, 2, contextBytes.length);
  }

  /** A randomized column; {@code bound} when each cell's associated data holds its row's key. */
  public static CellColumn randomized(String name, String context, boolean bound) {
    return new CellColumn(name, context, false, bound);
  }

  /** A deterministic column (AES-SIV): equal values give equal cells. */
  public static CellColumn deterministic(String name, String context) {
    return new CellColumn(name, context, true, false);
  }

  /** The column's qualified name, {@code schema.table.column}, as messages show it. */
  public String name() {
    return name;
  }

  public String context() {
    return context;
  }

  public boolean isDeterministic() {
    return deterministic;
  }

  /** Whether every cell's associated data holds the value of the row's binding column. */
  public boolean isBound() {
    return bound;
  }

  byte[] contextBytes() {
    return contextBytes;
  }

  byte[] framedContext() {
    return framedContext;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CellColumn other && name.equals(other.name)
        && context.equals(other.context) && deterministic == other.deterministic
        && bound == other.bound;
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, context, deterministic, bound);
  }

  @Override
  public String toString() {
    return "CellColumn[" + name + (deterministic ? ", deterministic" : ", randomized")
        + (bound ? ", bound" : "") + "]";
  }
}
