package org.veil.tools;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.veil.config.VeilConfig;
import org.veil.config.VeilProperty;
import org.veil.kms.KeyProvider;
import org.veil.kms.KeyProviderException;
import org.veil.kms.KeyProviderSettings;
import org.veil.kms.KeyProviders;
import org.veil.kms.UnwrappedKey;
import org.veil.kms.WrappedKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code rotate-master}: re-wraps every key in {@code veil_keys} from the configured master key
 * to a new one, in one transaction. No data row is read or written, so it takes seconds
 * whatever the data size. Keys already under the new master key are left alone, so it can be
 * run again after a failure.
 */
@Command(name = "rotate-master", mixinStandardHelpOptions = true,
    description = {"Re-wrap every branch and deterministic key in veil_keys under a new master"
        + " key. Touches no data row.",
        "Afterwards, configure the new master key (veil.kms.keystore / veil.kms.keyId) in the"
            + " application and restart it; see docs/RUNBOOK.md."})
final class RotateMaster implements Callable<Integer> {

  @Mixin
  ConnectionOptions connection = new ConnectionOptions();

  @Option(names = "--to", required = true, paramLabel = "KEY",
      description = "The new master key: for veil.kms=local the new keystore or key file"
          + " (veil.kms.keystore), for veil.kms=aws the new key ARN or alias (veil.kms.keyId).")
  String to;

  @Option(names = "--to-setting", paramLabel = "NAME=VALUE", description = "Another veil.kms.*"
      + " setting of the new master key, e.g. --to-setting veil.kms.keystorePassword=…")
  Map<String, String> toSettings = new LinkedHashMap<>();

  @Option(names = "--dry-run", description = "Unwrap every key and report; write nothing.")
  boolean dryRun;

  @Override
  public Integer call() throws Exception {
    Database db = connection.database();
    VeilConfig veil = connection.veilConfig();
    Properties from = veil.toProperties();
    Properties next = veil.toProperties();
    String kms = VeilProperty.KMS.getChoice(from);
    next.setProperty("aws".equals(kms) ? VeilProperty.KMS_KEY_ID.getName()
        : VeilProperty.KMS_KEYSTORE.getName(), to);
    toSettings.forEach(next::setProperty);
    KeyTable keys = new KeyTable(VeilProperty.KEYS_TABLE.get(from));
    try (KeyProvider old = provider(from); KeyProvider fresh = provider(next);
        Connection c = db.open()) {
      if (old.masterKeyId().equals(fresh.masterKeyId())) {
        throw new IllegalArgumentException("--to " + to + " is the master key already"
            + " configured (" + old.masterKeyId() + ")");
      }
      c.setAutoCommit(false);
      List<KeyTable.Key> all = keys.all(c);
      int moved = 0;
      int already = 0;
      int others = 0;
      for (KeyTable.Key k : all) {
        if (k.masterKeyId().equals(fresh.masterKeyId())) {
          already++;
          continue;
        }
        if (!k.masterKeyId().equals(old.masterKeyId())) {
          // Another application's keyring sharing the table, under its own master key.
          others++;
          continue;
        }
        // The wrap's context is the key id, as the key ring unwraps it.
        String context = k.id().toString();
        UnwrappedKey plain = old.unwrap(k.wrapped(), context);
        try {
          WrappedKey wrapped = fresh.wrap(plain.plaintext(), context);
          UnwrappedKey check = fresh.unwrap(wrapped.blob(), context);
          boolean same = Arrays.equals(check.plaintext(), plain.plaintext());
          Arrays.fill(check.plaintext(), (byte) 0);
          if (!same) {
            throw new KeyProviderException("key " + k.id() + " does not unwrap to itself under"
                + " the new master key; nothing was changed", false);
          }
          if (!dryRun && !keys.rewrap(c, k, wrapped.blob(), fresh.name(),
              fresh.masterKeyId())) {
            throw new SQLException("key " + k.id() + " changed while it was re-wrapped;"
                + " nothing was changed, run again", "40001");
          }
        } finally {
          Arrays.fill(plain.plaintext(), (byte) 0);
        }
        moved++;
      }
      if (dryRun) {
        c.rollback();
      } else {
        c.commit();
      }
      System.err.println((dryRun ? "dry run: would re-wrap " : "re-wrapped ") + moved
          + " keys of " + keys.name() + " from master key " + old.masterKeyId() + " to "
          + fresh.masterKeyId() + (already > 0 ? " (" + already + " were already under it)" : "")
          + (others > 0 ? "; " + others + " keys under other master keys were left alone" : "")
          + "; no data row was touched." + (dryRun ? "" : " Now configure the new master key"
          + " in every application and restart them."));
      return 0;
    }
  }

  private static KeyProvider provider(Properties props) throws SQLException,
      KeyProviderException {
    String password = VeilProperty.KMS_KEYSTORE_PASSWORD.get(props);
    KeyProviderSettings settings = KeyProviderSettings.builder()
        .keyId(VeilProperty.KMS_KEY_ID.get(props))
        .keystore(VeilProperty.KMS_KEYSTORE.get(props))
        .keystorePassword(password == null ? null : password.toCharArray())
        .region(VeilProperty.KMS_REGION.get(props))
        .endpoint(VeilProperty.KMS_ENDPOINT.get(props))
        .timeout(VeilProperty.KMS_TIMEOUT.getDuration(props))
        .build();
    return KeyProviders.create(VeilProperty.KMS.getChoice(props), settings,
        RotateMaster.class.getClassLoader());
  }

}
