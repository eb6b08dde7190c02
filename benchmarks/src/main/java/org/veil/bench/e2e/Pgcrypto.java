package org.veil.bench.e2e;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * PostgreSQL's pgcrypto, server-side: {@code pgp_sym_encrypt(?, passphrase)} on the way in and
 * {@code pgp_sym_decrypt(column, passphrase)} on the way out, ciphertext in {@code bytea}. The
 * application sends plaintext (over TLS) and the server encrypts, with pgcrypto's defaults
 * (AES-128, iterated-and-salted S2K key derivation on every call).
 *
 * <p>The passphrase is a SQL literal in the statement text, as pgcrypto's documentation shows
 * it; binding it instead costs the same on the server. Randomized (a fresh session key per
 * value), so it cannot serve {@code WHERE email = ?}.
 */
public final class Pgcrypto implements Contender {

  private static final String PASSPHRASE = "veil-benchmark-passphrase";
  /** The most rows it preloads; see {@link #preloadRows}. */
  private static final int PRELOAD_ROWS = 10_000;

  private String unavailable;

  @Override
  public String id() {
    return "pgcrypto";
  }

  @Override
  public String description() {
    return "PostgreSQL pgcrypto server-side: pgp_sym_encrypt / pgp_sym_decrypt with a "
        + "passphrase, default options, bytea; preloads (and so scans) at most "
        + String.format("%,d", PRELOAD_ROWS) + " rows, its rows/s being per row either way";
  }

  /**
   * pgp_sym_encrypt writes about 4,000 rows/s here and pgp_sym_decrypt reads about as many:
   * 100,000 rows would cost 25 s per preload and per scan operation, a third of the run.
   */
  @Override
  public int preloadRows(int requested) {
    return Math.min(requested, PRELOAD_ROWS);
  }

  @Override
  public void prepare(Target target) {
    try (Connection c = target.server().plainConnection(); Statement s = c.createStatement()) {
      // pgcrypto is a trusted extension (PostgreSQL 13+): the database owner may create it.
      s.execute("CREATE EXTENSION IF NOT EXISTS pgcrypto");
    } catch (SQLException e) {
      unavailable = "CREATE EXTENSION pgcrypto failed on this server: " + e.getMessage();
    }
  }

  @Override
  public Optional<String> unavailableReason() {
    return Optional.ofNullable(unavailable);
  }

  @Override
  public Connection connect(Target target) throws SQLException {
    return target.server().plainConnection();
  }

  @Override
  public String protectedColumnType(ProtectedColumn column) {
    return "bytea";
  }

  @Override
  public String bindExpression(ProtectedColumn column) {
    return "pgp_sym_encrypt(?, '" + PASSPHRASE + "')";
  }

  @Override
  public String selectExpression(ProtectedColumn column) {
    return "pgp_sym_decrypt(" + column.sqlName() + ", '" + PASSPHRASE + "')";
  }

  @Override
  public boolean canLookUpByEquality() {
    return false;
  }

  @Override
  public boolean storesCiphertext() {
    return true;
  }
}
