package org.veil.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import org.veil.config.VeilConfig;
import org.veil.error.VeilError;
import org.veil.error.VeilException;
import org.veil.keys.KeyStoreConnections;
import org.veil.metrics.VeilMetrics;

/**
 * The runtimes of one {@link Connector}: one per configuration and database, so that the keys of
 * a database live in that database's {@code veil_keys}, whatever other databases the same
 * settings are used with. A runtime is chosen after pgjdbc has connected, by the
 * {@link DatabaseIdentity} of the server the connection actually reached (multi-host URLs); the
 * identity is read once per host, port and database name, on the first connection there.
 *
 * <p>Each runtime and each identity is built once, however many threads connect at the same
 * moment: the first builds it, the others wait for its result. A failed build is not kept; the
 * next connection tries again. No lock is held while building, so a slow key provider delays only
 * the connections that need that runtime. Thread-safe.
 */
final class Runtimes {

  private final KeyStoreServers.Opener opener;
  private final VeilMetrics metrics;
  private final Memo<DatabaseIdentity.Address, DatabaseIdentity> identities = new Memo<>();
  private final Memo<Key, VeilRuntime> runtimes = new Memo<>();

  /**
   * @param opener opens Veil's own pgjdbc connections, as the application's are opened
   * @param metrics what every runtime counts into
   */
  Runtimes(KeyStoreServers.Opener opener, VeilMetrics metrics) {
    this.opener = opener;
    this.metrics = metrics;
  }

  /**
   * A configuration and the database it is used with; no database for a configuration that
   * encrypts nothing, which needs no keys.
   */
  private record Key(VeilConfig config, DatabaseIdentity database) {}

  /**
   * The runtime for {@code config} on the database that {@code pg}, just opened with
   * {@code url} and {@code properties}, reached; built by the first connection that needs it.
   */
  VeilRuntime forConnection(VeilConfig config, Connection pg, String url, Properties properties)
      throws SQLException {
    if (config.columns().isEmpty()) {
      return runtimes.get(new Key(config, null), () -> newRuntime(config,
          KeyStoreConnections.of(() -> opener.open(url, copy(properties))), metrics));
    }
    DatabaseIdentity.Address address = DatabaseIdentity.Address.of(pg);
    DatabaseIdentity identity = identities.get(address, () -> DatabaseIdentity.read(pg, address));
    Properties own = copy(properties);
    return runtimes.get(new Key(config, identity),
        () -> newRuntime(config, KeyStoreServers.of(opener, url, own, identity), metrics));
  }

  private static VeilRuntime newRuntime(VeilConfig config, KeyStoreConnections connections,
      VeilMetrics metrics) throws SQLException {
    try {
      return new VeilRuntime(config, connections, metrics);
    } catch (VeilException e) {
      metrics.refused(e.error());
      throw SqlErrors.of(e);
    }
  }

  private static Properties copy(Properties properties) {
    Properties copy = new Properties();
    copy.putAll(properties);
    return copy;
  }

  /**
   * A value per key, built once: the first caller of {@link #get} for a key builds it, callers
   * that come meanwhile wait for that build, later callers get the value. A build that fails is
   * forgotten (its waiters get its failure), so the next caller builds again. Thread-safe; holds
   * no lock while building.
   */
  static final class Memo<K, V> {

    /** Builds a value; may take long (a key provider call) and may fail. */
    @FunctionalInterface
    interface Build<V> {
      V build() throws SQLException;
    }

    private final ConcurrentMap<K, CompletableFuture<V>> values = new ConcurrentHashMap<>();

    V get(K key, Build<V> build) throws SQLException {
      CompletableFuture<V> existing = values.get(key);
      if (existing == null) {
        CompletableFuture<V> mine = new CompletableFuture<>();
        existing = values.putIfAbsent(key, mine);
        if (existing == null) {
          return buildInto(key, mine, build);
        }
      }
      return await(existing);
    }

    private V buildInto(K key, CompletableFuture<V> mine, Build<V> build) throws SQLException {
      try {
        V value = build.build();
        mine.complete(value);
        return value;
      } catch (SQLException | RuntimeException | Error e) {
        values.remove(key, mine);
        mine.completeExceptionally(e);
        throw e;
      }
    }

    private static <V> V await(CompletableFuture<V> future) throws SQLException {
      try {
        return future.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw SqlErrors.of(VeilError.CONNECTION_REFUSED,
            "interrupted while another connection prepared Veil's keys for"
            + " this database", e);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof SQLException failed) {
          // A fresh exception per waiter, so that no two threads share (and add to) one.
          throw new SQLException(failed.getMessage(), failed.getSQLState(),
              failed.getErrorCode(), failed);
        }
        if (cause instanceof RuntimeException failed) {
          throw new IllegalStateException(failed.getMessage(), failed);
        }
        throw new IllegalStateException(cause);
      }
    }

    /** How many values are built or being built; for tests. */
    int size() {
      return values.size();
    }
  }
}
