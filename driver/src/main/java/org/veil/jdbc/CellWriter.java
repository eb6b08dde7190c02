package org.veil.jdbc;

import java.io.IOException;
import org.postgresql.util.ByteStreamWriter;

/**
 * A cell bound as a {@code bytea} parameter and written from its own bytes when the statement
 * is sent, as often as it runs: pgjdbc's {@code setBytes} would first copy it, so that a large
 * value were held three times (the application's, the cell, the copy) where pgjdbc alone holds
 * it twice. The cell is never changed after sealing, so sharing it is safe.
 *
 * <p>Immutable and thread-safe; {@link #toString()} shows the length only.
 */
final class CellWriter implements ByteStreamWriter {

  private final byte[] cell;

  CellWriter(byte[] cell) {
    this.cell = cell;
  }

  @Override
  public int getLength() {
    return cell.length;
  }

  @Override
  public void writeTo(ByteStreamTarget target) throws IOException {
    target.getOutputStream().write(cell);
  }

  @Override
  public String toString() {
    return "CellWriter[" + cell.length + " bytes]";
  }
}
