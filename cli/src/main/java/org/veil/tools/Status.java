package org.veil.tools;

import org.veil.crypto.CellShape;
import java.io.PrintStream;
import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.veil.config.ColumnPolicy;
import org.veil.config.VeilConfig;
import org.veil.config.VeilProperty;
import org.veil.crypto.CellCodec;
import org.veil.keys.KeyHierarchy;
import org.veil.crypto.CellException;
import org.veil.crypto.KeyId;
import org.veil.keys.WrapContext;
import org.veil.tools.TableTarget.Column;
import org.veil.catalog.StorageForm;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code status}: the keys in {@code veil_keys}, and for each encrypted column how many values
 * are NULL, plaintext, cells under each key, (with {@code --verify}) cells that do not open (a
 * row-bound column's with its row's binding value, read in the same row), and where its
 * database-side guard stands ({@link TableGuards}).
 * Reads in key order in batches, writes nothing.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Show the keys, and per encrypted column how many values are plaintext, under"
        + " which key, or (with --verify) not decryptable. Writes nothing.")
final class Status implements Callable<Integer> {

  @Mixin
  ConnectionOptions connection = new ConnectionOptions();

  @Option(names = "--table", paramLabel = "[SCHEMA.]TABLE", description = "Only this table"
      + " (default: every table in veil.columns).")
  List<String> tables = new ArrayList<>();

  @Option(names = "--verify", description = "Open every cell, to count those that do not"
      + " (slower: one decryption per cell).")
  boolean verify;

  @Option(names = "--batch-size", defaultValue = "5000", paramLabel = "ROWS",
      description = "Rows read per query (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--job-table", defaultValue = "veil_jobs", paramLabel = "TABLE",
      description = "The data jobs' state table, where conversions to bytea are recorded"
          + " (default: ${DEFAULT-VALUE}).")
  String jobTable;

  PrintStream out = System.out;

  @Override
  public Integer call() throws Exception {
    Database db = connection.database();
    VeilConfig veil = connection.veilConfig();
    KeyTable keyTable = new KeyTable(VeilProperty.KEYS_TABLE.get(veil.toProperties()));
    long failed = 0;
    try (KeyHierarchy keys = connection.keys(veil, db); Connection pg = db.open()) {
      CellCodec codec = keys.codec();
      out.println("keys in " + keyTable.name() + ":");
      int keyIdOnly = 0;
      for (KeyTable.Key k : keyTable.all(pg)) {
        out.printf("  %s  %-13s keyring=%s %s created=%s%s master=%s bound=%s%n", k.id(),
            k.purpose(), k.keyring(), k.active() ? "ACTIVE " : "retired", k.createdAt(),
            k.retiredAt() == null ? "" : " retired=" + k.retiredAt(), k.masterKeyId(),
            bound(k.wrapContext()));
        if (k.wrapContext() == WrapContext.KEY_ID_ONLY) {
          keyIdOnly++;
        }
      }
      if (keyIdOnly > 0) {
        out.println("  " + keyIdOnly + " keys are wrapped with their key id only (bound=key-id):"
            + " their keyring and purpose are not authenticated; veil rotate-master"
            + " --upgrade-contexts binds them (docs/KEYS.md)");
      }
      Set<String> names = new LinkedHashSet<>(tables);
      if (names.isEmpty()) {
        for (ColumnPolicy p : veil.columns().all()) {
          names.add(p.schema() + "." + p.table());
        }
      }
      for (String name : names) {
        TableTarget target = TableTarget.resolve(pg, veil.columns(), name, List.of());
        failed += scan(pg, codec, target);
      }
    }
    return failed > 0 ? Veil.CELLS_FAILED : 0;
  }

  /** What a key's wrap authenticates, as {@code status} shows it. */
  private static String bound(WrapContext context) {
    return context == null ? "unknown (wrap_context altered?)"
        : context == WrapContext.KEY_ID_KEYRING_PURPOSE ? "key-id,keyring,purpose" : "key-id";
  }

  private long scan(Connection pg, CellCodec codec, TableTarget target)
      throws SQLException, GeneralSecurityException {
    List<Column> columns = target.columns();
    List<Map<String, Long>> counts = new ArrayList<>();
    columns.forEach(c -> counts.add(new TreeMap<>()));
    long rows = 0;
    long failed = 0;
    String[] after = null;
    while (true) {
      int n = 0;
      try (PreparedStatement ps = pg.prepareStatement(target.selectBatch(after == null,
          false))) {
        int i = 1;
        if (after != null) {
          i = TableTarget.bindKey(ps, i, after);
        }
        ps.setInt(i, batchSize);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            n++;
            after = target.readKey(rs);
            byte[][] bindings = target.bindings(target.readBindingValues(rs));
            for (int c = 0; c < columns.size(); c++) {
              int index = target.keyWidth() + c + 1;
              Object stored = columns.get(c).form().read(rs, index);
              String bucket = classify(codec, columns.get(c), stored, bindings[c]);
              if (bucket.startsWith("not decryptable")) {
                failed++;
              }
              counts.get(c).merge(bucket, 1L, Long::sum);
            }
          }
        }
      }
      rows += n;
      if (n < batchSize) {
        break;
      }
    }
    out.println(target + ": " + rows + " rows");
    List<TableGuards.Guard> guards = new TableGuards(target.schema(), target.table(), columns,
        null, out).states(pg);
    for (int c = 0; c < columns.size(); c++) {
      out.println("  " + columns.get(c).policy().column() + " ("
          + columns.get(c).policy().mode().name().toLowerCase(java.util.Locale.ROOT) + ", "
          + columns.get(c).form().name().toLowerCase(java.util.Locale.ROOT) + ")");
      counts.get(c).forEach((bucket, count) -> out.printf("    %-60s %d%n", bucket, count));
      out.println("    " + Guard.describe(guards.get(c), target.qualifiedName()));
    }
    List<String> conversion = ByteaConversion.of(pg, target, new JobTable(jobTable), null, out,
        false).describe(pg);
    if (!conversion.isEmpty()) {
      out.println("  conversion to bytea:");
      conversion.forEach(line -> out.println("    " + line));
    }
    return failed;
  }

  /**
   * The bucket {@code stored} counts in; with {@code --verify} a cell is opened, a row-bound
   * column's with {@code binding}, its row's binding value (null when that is NULL: no cell
   * opens in such a row).
   */
  private String classify(CellCodec codec, Column column, Object stored, byte[] binding)
      throws GeneralSecurityException {
    if (stored == null) {
      return "null";
    }
    byte[] cell = column.form().cellOf(stored);
    if (cell == null) {
      return "plaintext";
    }
    KeyId id = CellShape.keyIdOf(cell);
    String kind = CellShape.isBranchWrapped(cell) ? "cell, branch key " + id
        : column.policy().isDeterministic() ? "cell, deterministic key " + id
        : "cell, direct (row key wrapped by the key provider)";
    if (verify && column.policy().isRowBound() && binding == null) {
      return "not decryptable: " + kind + " (in a row whose " + column.policy().bindingColumn()
          + " is NULL)";
    }
    if (verify) {
      try {
        codec.open(column.policy().cellColumn(), cell, binding);
      } catch (CellException e) {
        return "not decryptable: " + kind;
      }
    }
    return kind;
  }
}
