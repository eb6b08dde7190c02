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
import org.veil.crypto.KeyPurpose;
import org.veil.error.VeilError;
import org.veil.keys.MasterKeys;
import org.veil.keys.WrapContext;
import org.veil.kms.BlobAuthenticationException;
import org.veil.kms.KeyContext;
import org.veil.kms.KeyProvider;
import org.veil.kms.KeyProviderException;
import org.veil.kms.UnwrappedKey;
import org.veil.kms.WrappedKey;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rotate-master}: re-wraps the keys in {@code veil_keys} under the configured master key,
 * and under the previous ones ({@code veil.kms.previousKeys}), with a new master key, in one
 * transaction. No data row is read or written, so it takes seconds whatever the data size. Keys
 * already under the new master key are left alone, so it can be run again after a failure, and
 * the tool may be configured with the old master key or as the applications are during a
 * rotation (the new one, with the old one in {@code veil.kms.previousKeys}).
 *
 * <p>Every key it re-wraps is bound to its key id, keyring and purpose
 * ({@link WrapContext#KEY_ID_KEYRING_PURPOSE}), and so is every key under the new master key
 * that was still wrapped with its key id only; {@code --upgrade-contexts} does only the latter,
 * under the configured master key, with no new one ({@code --to} may be left out).
 */
@Command(name = "rotate-master", mixinStandardHelpOptions = true,
    description = {"Re-wrap every branch and deterministic key in veil_keys that the configured"
        + " master key or one of veil.kms.previousKeys wraps under a new master key, binding"
        + " each to its key id, keyring and purpose. Touches no data row.",
        "Run it once every application has the new master key configured, with the old one in"
            + " veil.kms.previousKeys; see docs/RUNBOOK.md.",
        "With --upgrade-contexts and no --to: re-wrap, under the configured master key, the keys"
            + " still wrapped with their key id only (written before Veil bound keyring and"
            + " purpose); see docs/KEYS.md."})
final class RotateMaster implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Mixin
  ConnectionOptions connection = new ConnectionOptions();

  @Option(names = "--to", paramLabel = "KEY",
      description = "The new master key: for veil.kms=local the new keystore or key file"
          + " (veil.kms.keystore), for veil.kms=aws the new key ARN or alias (veil.kms.keyId)."
          + " Required, unless --upgrade-contexts is given (then: the configured master key).")
  String to;

  @Option(names = "--to-setting", paramLabel = "NAME=VALUE", description = "Another veil.kms.*"
      + " setting of the new master key, e.g. --to-setting veil.kms.keystorePassword=…")
  Map<String, String> toSettings = new LinkedHashMap<>();

  @Option(names = "--upgrade-contexts", description = "Re-wrap the keys under the target master"
      + " key that are wrapped with their key id only, binding the keyring and purpose their"
      + " rows name; the target may be the configured master key.")
  boolean upgradeContexts;

  @Option(names = "--dry-run", description = "Unwrap every key and report; write nothing.")
  boolean dryRun;

  @Override
  public Integer call() throws Exception {
    if (to == null && !upgradeContexts) {
      throw new CommandLine.ParameterException(spec.commandLine(), "Missing required option:"
          + " '--to=KEY' (or --upgrade-contexts, to re-wrap under the configured master key"
          + " the keys wrapped with their key id only)");
    }
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
      if (from.isEmpty() && !upgradeContexts) {
        throw new IllegalArgumentException("--to " + to + " is the master key already"
            + " configured (" + fresh.masterKeyId() + "), and "
            + VeilProperty.KMS_PREVIOUS_KEYS.getName() + " names no other to move keys from;"
            + " to bind the keyring and purpose of the keys under it that are wrapped with their"
            + " key id only, run veil rotate-master --upgrade-contexts");
      }
      if (!dryRun) {
        keys.addWrapContextColumn(c);
      }
      c.setAutoCommit(false);
      Map<String, Integer> moved = new LinkedHashMap<>();
      int upgraded = 0;
      int already = 0;
      int others = 0;
      for (KeyTable.Key k : keys.all(c)) {
        KeyProvider old = from.get(k.masterKeyId());
        if (k.masterKeyId().equals(fresh.masterKeyId())) {
          if (k.wrapContext() == WrapContext.KEY_ID_KEYRING_PURPOSE) {
            already++;
          } else {
            rewrap(c, keys, k, fresh, fresh);
            upgraded++;
          }
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
          + (upgraded > 0 ? "; " + (dryRun ? "would re-wrap " : "re-wrapped ") + upgraded
              + " keys already under it that were wrapped with their key id only" : "")
          + "; every key re-wrapped is bound to its key id, keyring and purpose"
          + (already > 0 ? "; " + already + " were already under it, bound" : "")
          + (others > 0 ? "; " + others + " keys under other master keys were left alone" : "")
          + "; no data row was touched." + (dryRun || total == 0 ? "" : " Every application"
          + " needs " + fresh.masterKeyId() + " as its master key now; "
          + VeilProperty.KMS_PREVIOUS_KEYS.getName() + " can go at their next deploy."));
      return 0;
    }
  }

  /**
   * Re-wraps one key from {@code old} to {@code fresh} (the same master key when only its
   * context is upgraded), bound to the key id, keyring and purpose its row names, after checking
   * that the new wrap unwraps to the same key.
   */
  private void rewrap(Connection c, KeyTable keys, KeyTable.Key k, KeyProvider old,
      KeyProvider fresh) throws KeyProviderException, SQLException {
    // Unwrapped as the key ring would unwrap it, with the context its row records; a row altered
    // since it was wrapped fails here, before anything is written.
    UnwrappedKey plain;
    try {
      plain = old.unwrap(k.wrapped(), k.context());
    } catch (BlobAuthenticationException e) {
      throw new KeyProviderException(k.purpose() + " key " + k.id() + " of keyring "
          + k.keyring() + " (wrap_context " + k.wrapContext().code() + ") in " + keys.name()
          + " does not unwrap under master key " + old.masterKeyId() + " with what its row says:"
          + " the row was altered after the key was wrapped; nothing was changed. Restore the"
          + " row from a backup (" + e.getMessage() + ")", false, e);
    }
    try {
      KeyContext bound = KeyContext.of(k.id(), k.keyring(), KeyPurpose.ofSqlName(k.purpose()));
      WrappedKey wrapped = fresh.wrap(plain.plaintext(), bound);
      UnwrappedKey check = fresh.unwrap(wrapped.blob(), bound);
      boolean same = Arrays.equals(check.plaintext(), plain.plaintext());
      Arrays.fill(check.plaintext(), (byte) 0);
      if (!same) {
        throw new KeyProviderException("key " + k.id() + " does not unwrap to itself under"
            + " the new master key; nothing was changed", false);
      }
      if (!dryRun && !keys.rewrap(c, k, wrapped.blob(), fresh.name(), fresh.masterKeyId(),
          WrapContext.KEY_ID_KEYRING_PURPOSE)) {
        throw new SQLException("key " + k.id() + " changed while it was re-wrapped;"
            + " nothing was changed, run again", VeilError.JOB_CONFLICT.sqlState());
      }
    } finally {
      Arrays.fill(plain.plaintext(), (byte) 0);
    }
  }
}
