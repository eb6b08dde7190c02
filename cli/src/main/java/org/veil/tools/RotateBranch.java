package org.veil.tools;

import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.veil.config.VeilProperty;
import org.veil.keys.KeyHierarchy;
import org.veil.error.VeilError;
import org.veil.error.VeilException;
import org.veil.crypto.KeyId;
import org.veil.crypto.KeyPurpose;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rotate-branch} (alias {@code rewrap}): retires branch keys. Every cell of the table
 * whose row key is wrapped by a retired key is moved to the active branch key: a format v2 cell
 * by re-wrapping its row key (the payload stays byte for byte), a v1 cell, or any cell with
 * {@code --reseal}, by sealing it again with a fresh row key; all other cells stay byte for byte
 * as they are. When a key to retire is the active one, a new active key is made first (once: on
 * a resumed run the key is no longer active).
 */
@Command(name = "rotate-branch", aliases = "rewrap", mixinStandardHelpOptions = true,
    description = {"Retire branch keys: move each cell under a retired branch key to the"
        + " active branch key, online.",
        "Format v2 cells keep their payload: only the wrapped row key changes. Format v1"
            + " cells (and every cell with --reseal) are sealed again with a fresh row key and"
            + " IV, same value and type (see docs/RUNBOOK.md). Cells under other keys are not"
            + " touched. Run it on every table with encrypted columns before deleting a key."})
final class RotateBranch extends TableCommand {

  @Option(names = "--reseal",
      description = "Seal each cell again with a fresh row key and IV instead of re-wrapping its"
          + " row key: for a branch key that may have leaked (a leaked branch key or row key"
          + " still opens re-wrapped cells).")
  boolean reseal;

  @Option(names = "--retire", required = true, paramLabel = "KEY_ID|inactive",
      description = "A branch key id to retire (repeatable), or 'inactive' for every branch key"
          + " of the keyring that is not the active one.")
  List<String> retire = new ArrayList<>();

  private final Set<String> resolved = new TreeSet<>();
  private final Set<KeyId> retiring = new LinkedHashSet<>();

  @Override
  String command() {
    return "rotate-branch";
  }

  @Override
  String jobSuffix() {
    return " retire " + String.join(",", retire) + (reseal ? " reseal" : "");
  }

  @Override
  String leftOver(TableTarget target) {
    return LeftOver.underKeys(target.columns(), retiring);
  }

  @Override
  CellRewrite rewrite(KeyHierarchy hierarchy, TableTarget target, Connection pg)
      throws SQLException, GeneralSecurityException, VeilException {
    KeyTable keys = new KeyTable(VeilProperty.KEYS_TABLE.get(connection.veilConfig()
        .toProperties()));
    String keyring = hierarchy.keyRing().keyring();
    List<KeyTable.Key> branchKeys = new ArrayList<>();
    for (KeyTable.Key k : keys.all(pg)) {
      if (k.keyring().equals(keyring) && KeyPurpose.BRANCH.sqlName().equals(k.purpose())) {
        branchKeys.add(k);
      }
    }
    Set<KeyId> ids = new LinkedHashSet<>();
    boolean retireActive = false;
    for (String r : retire) {
      if (r.equalsIgnoreCase("inactive")) {
        branchKeys.stream().filter(k -> !k.active()).forEach(k -> ids.add(k.id()));
        continue;
      }
      KeyId id;
      try {
        id = KeyId.parse(r.trim());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--retire " + r + " is not a key id (a UUID, as"
            + " 'veil status' lists them) or 'inactive'");
      }
      KeyTable.Key found = branchKeys.stream().filter(k -> k.id().equals(id)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("--retire " + r + ": keyring "
              + keyring + " has no branch key with that id in " + keys.name()));
      ids.add(id);
      retireActive |= found.active();
    }
    if (retireActive && !job.dryRun) {
      KeyId next = hierarchy.keyRing().rotateBranchKey().id();
      log.println("made branch key " + next + " active, so the retired one seals no more");
    } else if (retireActive) {
      log.println("(a real run would first make a new branch key active)");
    }
    ids.forEach(id -> resolved.add(id.toString()));
    retiring.addAll(ids);
    log.println("retiring branch keys " + resolved + " on " + target);
    // The active key must not be retired after all (a concurrent rotation elsewhere).
    KeyId active = hierarchy.keyRing().activeKey(KeyPurpose.BRANCH).id();
    if (ids.contains(active) && !job.dryRun) {
      throw new SQLException("branch key " + active + " is still the active one; run again",
          VeilError.JOB_CONFLICT.sqlState());
    }
    return reseal ? CellRewrite.resealRetired(hierarchy.codec(), target.columns(), Set.copyOf(ids), LOG)
        : CellRewrite.rewrapRetired(hierarchy.codec(), target.columns(), Set.copyOf(ids), LOG);
  }
}
