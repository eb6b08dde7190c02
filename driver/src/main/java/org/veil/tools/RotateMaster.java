package org.veil.tools;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.veil.config.VeilProperty;
import org.veil.error.VeilError;
import org.veil.keys.MasterKeys;
import org.veil.kms.KeyProvider;
import org.veil.kms.KeyProviderException;
import org.veil.kms.UnwrappedKey;
import org.veil.kms.WrappedKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code rotate-master}: re-wraps the keys in {@code veil_keys} under the configured master key,
 * and under the previous ones ({@code veil.kms.previousKeys}), with a new master key, in one
 * transaction. No data row is read or written, so it takes seconds whatever the data size. Keys
 * already under the new master key are left alone, so it can be run again after a failure, and
 * the tool may be configured with the old master key or as the applications are during a
 * rotation (the new one, with the old one in {@code veil.kms.previousKeys}).
 */
@Command(name = "rotate-master", mixinStandardHelpOptions = true,
    description = {"Re-wrap every branch and deterministic key in veil_keys that the configured"
        + " master key or one of veil.kms.previousKeys wraps under a new master key. Touches no"
        + " data row.",
        "Run it once every application has the new master key configured, with the old one in"
            + " veil.kms.previousKeys; see docs/RUNBOOK.md."})
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
    Properties settings = connection.veilConfig().toProperties();
    Properties next = new Properties();
    next.putAll(settings);
    toSettings.forEach(next::setProperty);
    KeyTable keys = new KeyTable(VeilProperty.KEYS_TABLE.get(settings));
    ClassLoader loader = RotateMaster.class.getClassLoader();
    try (MasterKeys configured = MasterKeys.open(settings, loader);
        KeyProvider fresh = MasterKeys.openProvider(next, to, loader);
        Connection c = db.open()) {
      Map<String, KeyProvider> from = new LinkedHashMap<>();
      List<KeyProvider> candidates = new ArrayList<>(List.of(configured.current()));
      candidates.addAll(configured.previous());
      for (KeyProvider p : candidates) {
        if (!p.masterKeyId().equals(fresh.masterKeyId())) {
          from.put(p.masterKeyId(), p);
        }
      }
      if (from.isEmpty()) {
        throw new IllegalArgumentException("--to " + to + " is the master key already"
            + " configured (" + fresh.masterKeyId() + "), and "
            + VeilProperty.KMS_PREVIOUS_KEYS.getName() + " names no other to move keys from");
      }
      c.setAutoCommit(false);
      Map<String, Integer> moved = new LinkedHashMap<>();
      int already = 0;
      int others = 0;
      for (KeyTable.Key k : keys.all(c)) {
        KeyProvider old = from.get(k.masterKeyId());
        if (k.masterKeyId().equals(fresh.masterKeyId())) {
          already++;
        } else if (old == null) {
          // Another application's keyring sharing the table, under its own master key.
          others++;
        } else {
          rewrap(c, keys, k, old, fresh);
          moved.merge(old.masterKeyId(), 1, Integer::sum);
        }
      }
      if (dryRun) {
        c.rollback();
      } else {
        c.commit();
      }
      int total = moved.values().stream().mapToInt(Integer::intValue).sum();
      System.err.println((dryRun ? "dry run: would re-wrap " : "re-wrapped ") + total
          + " keys of " + keys.name() + " to master key " + fresh.masterKeyId()
          + (total > 0 ? " (" + moved.entrySet().stream().map(e -> e.getValue() + " from "
              + e.getKey()).collect(Collectors.joining(", ")) + ")" : "")
          + (already > 0 ? "; " + already + " were already under it" : "")
          + (others > 0 ? "; " + others + " keys under other master keys were left alone" : "")
          + "; no data row was touched." + (dryRun ? "" : " Every application needs "
          + fresh.masterKeyId() + " as its master key now; "
          + VeilProperty.KMS_PREVIOUS_KEYS.getName() + " can go at their next deploy."));
      return 0;
    }
  }

  /**
   * Re-wraps one key from {@code old} to {@code fresh}, after checking that the new wrap
   * unwraps to the same key.
   */
  private void rewrap(Connection c, KeyTable keys, KeyTable.Key k, KeyProvider old,
      KeyProvider fresh) throws KeyProviderException, SQLException {
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
      if (!dryRun && !keys.rewrap(c, k, wrapped.blob(), fresh.name(), fresh.masterKeyId())) {
        throw new SQLException("key " + k.id() + " changed while it was re-wrapped;"
            + " nothing was changed, run again", VeilError.JOB_CONFLICT.sqlState());
      }
    } finally {
      Arrays.fill(plain.plaintext(), (byte) 0);
    }
  }
}
