package org.veil.tools;

import org.veil.crypto.CellShape;
import java.security.GeneralSecurityException;
import java.util.List;
import org.veil.crypto.CellCodec;
import org.veil.crypto.CellColumn;
import org.veil.crypto.Rewrapper;
import org.veil.crypto.CellException;
import org.veil.crypto.Opened;
import org.veil.crypto.RewrapScope;
import org.veil.crypto.RowSeal;
import org.veil.crypto.ValueType;
import org.veil.crypto.KeyId;
import org.veil.config.ColumnPolicy;
import org.veil.tools.TableTarget.Column;
import org.veil.catalog.StorageForm;

/**
 * What a job does to the encrypted columns of one row, as stored: {@code byte[]} for a bytea
 * column, {@code String} for a text column, null for SQL NULL. A column bound to its row
 * ({@code :bind=}) is sealed and opened with the row's binding value, read in the same row; in a
 * row whose binding column is NULL its value is left as it is and counted as failed, never
 * sealed or opened unbound. Implementations hold no row state between calls; they are used by
 * one thread at a time. They count cells only ({@link Tally#nulls}, {@link Tally#failed}); the
 * job counts rows by what it did with them.
 */
interface CellRewrite {

  /**
   * The row's new stored values, or null when the row stays as it is. In the returned array an
   * element equal to (the same object as) the stored one means "unchanged".
   *
   * @param bindings each column's binding value in this row ({@link TableTarget#bindings}):
   *     null for a column not bound to its row, and for a row-bound column whose binding column
   *     is NULL in this row
   * @throws org.veil.crypto.KeyUnavailableException when a key cannot be obtained: the job
   *     stops, since every further row would fail the same way
   */
  Object[] rewrite(Object[] stored, byte[][] bindings, Tally tally)
      throws GeneralSecurityException;

  /**
   * Counts of what a job did, one per worker (or per batch, added to the worker's once the
   * batch commits); not thread-safe. Rows are counted once each, by what happened to them, so
   * that {@code rows == changed + alreadyDone + leftFailed + gone}; cells are counted apart
   * ({@code nulls}, {@code failed}), and {@code raced} counts re-reads, not rows. A
   * {@link CellRewrite} adds to the cell counts only; the job counts the rows.
   */
  final class Tally {
    /** Rows seen. */
    long rows;
    /** Rows written. */
    long changed;
    /** Rows that needed nothing: every value already in the form the job makes, or NULL. */
    long alreadyDone;
    /** Rows left as they are because a cell of theirs failed and no other cell changed. */
    long leftFailed;
    /** Rows deleted by the application between the job's reads. */
    long gone;
    /** NULL cells (cells, not rows). */
    long nulls;
    /** Cells that could not be sealed or opened, left as they are (cells, not rows). */
    long failed;
    /** Rows read again because the application changed them meanwhile (re-reads). */
    long raced;

    /** Adds every count of {@code other} to these. */
    void add(Tally other) {
      rows += other.rows;
      changed += other.changed;
      alreadyDone += other.alreadyDone;
      leftFailed += other.leftFailed;
      gone += other.gone;
      nulls += other.nulls;
      failed += other.failed;
      raced += other.raced;
    }

    @Override
    public String toString() {
      return rows + " rows seen, " + changed + " rewritten, " + alreadyDone + " already done, "
          + leftFailed + " left as they are, " + gone + " deleted meanwhile (" + nulls
          + " null cells, " + failed + " cells that do not open or seal, " + raced
          + " rows re-read after the application changed them)";
    }
  }

  /** What the cryptography knows of each column, in order. */
  static List<CellColumn> cellColumns(List<Column> columns) {
    return columns.stream().map(c -> c.policy().cellColumn()).toList();
  }

  /**
   * Whether column {@code i} is bound to its row and the row's binding column is NULL: the
   * value stays as it is, counted as failed and logged with {@code what} (what happens to it),
   * naming the columns only.
   */
  static boolean bindsNoRow(List<CellColumn> cells, List<Column> columns, byte[][] bindings,
      int i, Tally tally, System.Logger log, String what) {
    if (!cells.get(i).isBound() || bindings[i] != null) {
      return false;
    }
    tally.failed++;
    ColumnPolicy p = columns.get(i).policy();
    log.log(System.Logger.Level.WARNING, p.qualifiedName() + ": " + what + " in a row whose "
        + p.qualifiedBindingColumn() + " is NULL, which binds no cell to the row (:bind="
        + p.bindingColumn() + "). Find such rows with SELECT ... WHERE " + p.bindingColumn()
        + " IS NULL AND " + p.column() + " IS NOT NULL, give them a "
        + p.bindingColumn() + ", and run again.");
    return true;
  }

  /**
   * encrypt-existing: seals plaintext as text (text columns) or bytes (bytea columns), a
   * row-bound column's bound to its row.
   */
  static CellRewrite encryptPlaintext(CellCodec codec, List<Column> columns,
      System.Logger log) {
    List<CellColumn> cells = cellColumns(columns);
    return (stored, bindings, tally) -> {
      Object[] out = stored.clone();
      boolean changed = false;
      RowSeal row = codec.beginRow();
      for (int i = 0; i < stored.length; i++) {
        if (stored[i] == null) {
          tally.nulls++;
          continue;
        }
        if (columns.get(i).form().cellOf(stored[i]) != null) {
          continue;
        }
        if (bindsNoRow(cells, columns, bindings, i, tally, log, "a plaintext value stays"
            + " plaintext")) {
          continue;
        }
        Column c = columns.get(i);
        byte[] cell = stored[i] instanceof byte[] bytes
            ? codec.seal(row, cells.get(i), ValueType.BYTES, bytes, bindings[i])
            : codec.seal(row, cells.get(i), ValueType.TEXT, stored[i], bindings[i]);
        out[i] = c.form().store(cell);
        changed = true;
      }
      return changed ? out : null;
    };
  }

  /**
   * encrypt-existing --convert-to-bytea: seals the first {@code sealed.size()} stored values as
   * {@link #encryptPlaintext} does, and gives each bytea shadow that follows them the bytes of
   * the cell its text column then holds (null for SQL NULL): shadow {@code j} stands in for
   * sealed column {@code shadowed[j]}. A text cell is written back in its canonical form, so
   * that the trigger that keeps the shadow in step decodes it to the same bytes.
   */
  static CellRewrite fillShadows(CellCodec codec, List<Column> sealed, int[] shadowed,
      System.Logger log) {
    CellRewrite seal = encryptPlaintext(codec, sealed, log);
    int n = sealed.size();
    return (stored, bindings, tally) -> {
      Object[] head = seal.rewrite(java.util.Arrays.copyOf(stored, n),
          java.util.Arrays.copyOf(bindings, n), tally);
      Object[] out = stored.clone();
      boolean changed = head != null;
      if (head != null) {
        System.arraycopy(head, 0, out, 0, n);
      }
      for (int j = 0; j < shadowed.length; j++) {
        String text = (String) out[shadowed[j]];
        byte[] cell = text == null ? null : StorageForm.TEXT.cellOf(text);
        if (cell != null && !text.equals(StorageForm.TEXT.store(cell))) {
          out[shadowed[j]] = StorageForm.TEXT.store(cell);
          changed = true;
        }
        if (!java.util.Arrays.equals(cell, (byte[]) stored[n + j])) {
          out[n + j] = cell;
          changed = true;
        }
      }
      return changed ? out : null;
    };
  }

  /**
   * decrypt-column: opens cells back into plaintext: a text column gets the value's text form,
   * a bytea column the bytes of a bytes value or the UTF-8 of a text value. A value that the
   * column cannot hold (a number in a bytea column) is left sealed and counted as failed. A
   * row-bound column's cells open with their row's binding value.
   */
  static CellRewrite decrypt(CellCodec codec, List<Column> columns, System.Logger log) {
    List<CellColumn> cells = cellColumns(columns);
    return (stored, bindings, tally) -> {
      Object[] out = stored.clone();
      boolean changed = false;
      for (int i = 0; i < stored.length; i++) {
        if (stored[i] == null) {
          tally.nulls++;
          continue;
        }
        byte[] cell = columns.get(i).form().cellOf(stored[i]);
        if (cell == null) {
          continue;
        }
        if (bindsNoRow(cells, columns, bindings, i, tally, log, "a cell stays sealed")) {
          continue;
        }
        Column c = columns.get(i);
        Opened opened;
        try {
          opened = codec.open(cells.get(i), cell, bindings[i]);
        } catch (CellException e) {
          tally.failed++;
          log.log(System.Logger.Level.WARNING, e.getMessage());
          continue;
        }
        Object plain = plaintextFor(c, opened);
        if (plain == null) {
          tally.failed++;
          log.log(System.Logger.Level.WARNING, c.policy().qualifiedName() + ": a "
              + opened.type() + " value cannot be stored in a " + c.form() + " column as"
              + " plaintext; it stays sealed (convert the column to text first)");
          continue;
        }
        out[i] = plain;
        changed = true;
      }
      return changed ? out : null;
    };
  }

  private static Object plaintextFor(Column c, Opened opened) {
    Object v = opened.value();
    if (c.form() == StorageForm.TEXT) {
      return v instanceof byte[] ? null : v.toString();
    }
    if (v instanceof byte[]) {
      return v;
    }
    if (v instanceof String s) {
      return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
    return null;
  }

  /**
   * rotate-branch: moves the cells whose branch key is being retired to the active branch key
   * ({@link Rewrapper#rewrap}): a format v3 or v2 cell gets a new wrap of the same row key and
   * keeps its payload byte for byte; a v1 cell is re-sealed whole into v3. The cells of one row that shared
   * a row key share the new wrap. Every other cell stays byte for byte as it is. A row-bound
   * column's cells open (and, re-sealed, are bound again) with their row's binding value.
   */
  static CellRewrite rewrapRetired(CellCodec codec, List<Column> columns,
      java.util.Set<KeyId> retired, System.Logger log) {
    return retired(codec, columns, retired, log, false);
  }

  /**
   * rotate-branch --reseal: re-seals the cells whose branch key is being retired under the
   * active branch key with a fresh row key and IV (value and type unchanged), for a branch key
   * that may have leaked; every other cell stays byte for byte as it is.
   */
  static CellRewrite resealRetired(CellCodec codec, List<Column> columns,
      java.util.Set<KeyId> retired, System.Logger log) {
    return retired(codec, columns, retired, log, true);
  }

  private static CellRewrite retired(CellCodec codec, List<Column> columns,
      java.util.Set<KeyId> retired, System.Logger log, boolean reseal) {
    List<CellColumn> cells = cellColumns(columns);
    Rewrapper rewrapper = codec.rewrapper();
    return (stored, bindings, tally) -> {
      Object[] out = stored.clone();
      boolean changed = false;
      // Per row: the cells one row shares a row key in; a scope per call keeps no state between
      // rows, as CellRewrite's contract asks.
      RowSeal row = codec.beginRow();
      RewrapScope scope = rewrapper.beginRewrap();
      for (int i = 0; i < stored.length; i++) {
        if (stored[i] == null) {
          tally.nulls++;
          continue;
        }
        byte[] cell = columns.get(i).form().cellOf(stored[i]);
        if (cell == null || !CellShape.isBranchWrapped(cell)
            || !retired.contains(CellShape.keyIdOf(cell))) {
          continue;
        }
        if (bindsNoRow(cells, columns, bindings, i, tally, log, "a cell under retired branch"
            + " key " + CellShape.keyIdOf(cell) + " stays under it")) {
          continue;
        }
        Column c = columns.get(i);
        try {
          out[i] = c.form().store(reseal ? rewrapper.reseal(row, cells.get(i), cell, bindings[i])
              : rewrapper.rewrap(scope, cells.get(i), cell, bindings[i]));
          changed = true;
        } catch (CellException e) {
          tally.failed++;
          log.log(System.Logger.Level.WARNING, e.getMessage());
        }
      }
      return changed ? out : null;
    };
  }
}
