package org.veil.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A primary and a streaming standby, both TLS 1.3 only, on one set of certificates and roles:
 * for tests of what Veil does with replicas. The standby is made from an online base backup of
 * the primary ({@code pg_backup_start}/{@code pg_backup_stop} and a file copy, as zonky's bundle
 * has no {@code pg_basebackup}), with a physical replication slot holding the WAL it needs, and
 * streams over {@code sslmode=verify-full} with TLS 1.3 as every other client.
 *
 * <p>Both servers listen on {@code localhost} (ports differ), hold {@link #primary()}'s
 * application database and roles, and are {@link PostgresServer}s of their own. Embedded engine
 * only. Not thread-safe.
 */
public final class ReplicaPair implements AutoCloseable {

  private static final String SLOT = "veil_standby";
  /** Directories whose contents a base backup leaves out (the server makes them anew). */
  private static final Set<String> EMPTIED = Set.of("pg_wal", "pg_replslot", "pg_dynshmem",
      "pg_notify", "pg_serial", "pg_snapshots", "pg_stat_tmp", "pg_subtrans");
  private static final Set<String> SKIPPED = Set.of("postmaster.pid", "postmaster.opts",
      "epg-lock", "pg_internal.init");

  private final ServerFiles files;
  private final Member primary;
  private final Member standby;

  private ReplicaPair(ServerFiles files, Member primary, Member standby) {
    this.files = files;
    this.primary = primary;
    this.standby = standby;
  }

  /** Starts a primary, bootstraps its roles and database, and starts a standby of it. */
  public static ReplicaPair start() {
    ServerFiles files = ServerFiles.create(true);
    Member primary = null;
    try {
      Files.writeString(files.hbaFile, "hostssl replication postgres 0.0.0.0/0 trust\n",
          StandardOpenOption.APPEND);
      Path primaryData = files.dir.resolve("primary");
      Path primaryLog = files.dir.resolve("primary.log");
      EmbeddedPostgres primaryPostgres = EmbeddedPostgresServer
          .builder(files, ServerOptions.defaults(), primaryLog)
          .setDataDirectory(primaryData)
          .setCleanDataDirectory(false)
          .setServerConfig("wal_level", "replica")
          .setServerConfig("max_wal_senders", "4")
          .setServerConfig("max_replication_slots", "4")
          // zonky defaults to synchronous_commit=off: a commit would return while its record is
          // still in the WAL buffers, before pg_current_wal_lsn() (the written position) covers
          // it, and awaitReplay could return before the standby has it. On, every commit the
          // tests made is written before they ask for the position.
          .setServerConfig("synchronous_commit", "on")
          .start();
      primary = new Member(files, primaryPostgres, primaryLog, "primary");
      Properties admin = new Properties();
      admin.setProperty("user", "postgres");
      primary.bootstrap(primary.adminUrl(), admin);

      Path standbyData = files.dir.resolve("standby");
      baseBackup(primary, primaryData, standbyData);
      Path standbyLog = files.dir.resolve("standby.log");
      EmbeddedPostgres standbyPostgres = EmbeddedPostgresServer
          .builder(files, ServerOptions.defaults(), standbyLog)
          .setDataDirectory(standbyData)
          .setCleanDataDirectory(false) // no initdb: the base backup is its data
          .setServerConfig("hot_standby", "on")
          .start();
      Member standby = new Member(files, standbyPostgres, standbyLog, "standby");
      standby.useAdmin(standby.adminUrl(), adminProperties(files));
      ReplicaPair pair = new ReplicaPair(files, primary, standby);
      pair.awaitReplay();
      return pair;
    } catch (IOException | SQLException e) {
      if (primary != null) {
        primary.close();
      }
      files.delete();
      throw new IllegalStateException("the primary and standby did not start; their logs are in "
          + files.dir, e);
    }
  }

  public PostgresServer primary() {
    return primary;
  }

  public PostgresServer standby() {
    return standby;
  }

  /**
   * {@code jdbc:veil:postgresql://host:port,host:port/database} with the servers in the order
   * given, as an application lists its replica set.
   */
  public String veilUrl(PostgresServer... servers) {
    return "jdbc:veil:postgresql://" + Stream.of(servers)
        .map(s -> s.host() + ":" + s.port()).collect(Collectors.joining(","))
        + "/" + primary.database();
  }

  /**
   * Waits until the standby has replayed everything the primary has written so far, every
   * transaction committed before the call included (the primary runs with
   * {@code synchronous_commit=on}, so a commit's WAL is written before the commit returns);
   * bounded: fails after a minute, with both servers' positions.
   */
  public void awaitReplay() throws SQLException {
    String target;
    try (Connection c = primary.admin(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_current_wal_lsn()::text")) {
      rs.next();
      target = rs.getString(1);
    }
    long deadline = System.nanoTime() + 60_000_000_000L;
    try (Connection c = standby.admin(); PreparedStatement ps = c.prepareStatement(
        "SELECT pg_last_wal_replay_lsn() >= ?::pg_lsn, pg_last_wal_replay_lsn()::text")) {
      ps.setString(1, target);
      while (true) {
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getBoolean(1)) {
            return;
          }
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("the standby replayed up to " + rs.getString(2)
                + ", not " + target + ", within a minute; see " + standby.log);
          }
        }
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for the standby", e);
        }
      }
    }
  }

  /**
   * The TLS protocol of the standby's replication connection as the primary sees it
   * ({@code pg_stat_replication} joined with {@code pg_stat_ssl}), or empty when it is not
   * streaming, or streams without TLS.
   */
  public Optional<String> replicationProtocol() throws SQLException {
    try (Connection c = primary.admin(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT ssl.version FROM pg_stat_replication r"
            + " JOIN pg_stat_ssl ssl ON ssl.pid = r.pid WHERE r.state = 'streaming' AND ssl.ssl"
            + " AND r.application_name = '" + SLOT + "'")) {
      return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
    }
  }

  /** Stops the primary for good (fast shutdown); the standby stays up, still a standby. */
  public void stopPrimary() {
    primary.close();
  }

  @Override
  public void close() {
    try {
      standby.close();
      primary.close();
    } finally {
      files.delete();
    }
  }

  @Override
  public String toString() {
    return "primary " + primary + " with standby " + standby;
  }

  /**
   * An online base backup of the running primary into {@code target}, made a standby: a slot
   * that keeps the WAL from the backup's start, the data directory copied between
   * {@code pg_backup_start} and {@code pg_backup_stop}, the WAL copied after, then
   * {@code backup_label}, {@code standby.signal} and {@code primary_conninfo}.
   */
  private static void baseBackup(Member primary, Path source, Path target)
      throws SQLException, IOException {
    try (Connection c = primary.admin(); Statement s = c.createStatement()) {
      s.execute("SELECT pg_create_physical_replication_slot('" + SLOT + "', true)");
      s.execute("SELECT pg_backup_start('veil standby', true)");
      copyTree(source, target, true);
      String label;
      String spcmap;
      try (ResultSet rs = s.executeQuery(
          "SELECT labelfile, spcmapfile FROM pg_backup_stop(false)")) {
        rs.next();
        label = rs.getString(1);
        spcmap = rs.getString(2);
      }
      copyTree(source.resolve("pg_wal"), target.resolve("pg_wal"), false);
      Files.writeString(target.resolve("backup_label"), label, StandardCharsets.UTF_8);
      if (spcmap != null && !spcmap.isEmpty()) {
        Files.writeString(target.resolve("tablespace_map"), spcmap, StandardCharsets.UTF_8);
      }
    }
    Files.createFile(target.resolve("standby.signal"));
    String conninfo = "host=localhost port=" + primary.port() + " user=postgres"
        + " sslmode=verify-full sslrootcert=" + primary.files.caCertificate
        + " ssl_min_protocol_version=TLSv1.3 application_name=" + SLOT;
    Files.writeString(target.resolve("postgresql.auto.conf"), "primary_conninfo = '"
        + conninfo + "'\nprimary_slot_name = '" + SLOT + "'\n", StandardCharsets.UTF_8,
        StandardOpenOption.APPEND);
  }

  /**
   * Copies {@code from} into {@code to}, keeping permissions; with {@code base}, leaves out what
   * a base backup leaves out (the contents of {@link #EMPTIED}, the files of {@link #SKIPPED}).
   */
  private static void copyTree(Path from, Path to, boolean base) throws IOException {
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        Path relative = from.relativize(p);
        if (base && relative.getNameCount() > 1 && EMPTIED.contains(relative.getName(0)
            .toString())) {
          continue;
        }
        if (base && SKIPPED.contains(p.getFileName().toString())) {
          continue;
        }
        Path copy = to.resolve(relative.toString());
        if (Files.isDirectory(p)) {
          if (!Files.exists(copy)) {
            Files.createDirectories(copy);
          }
          Files.setPosixFilePermissions(copy, Files.getPosixFilePermissions(p));
        } else if (Files.isRegularFile(p)) {
          try {
            Files.copy(p, copy, StandardCopyOption.COPY_ATTRIBUTES,
                StandardCopyOption.REPLACE_EXISTING);
          } catch (java.nio.file.NoSuchFileException gone) {
            // Removed by the running server while we walked (a temporary file): not needed.
          }
        }
      }
    }
    if (base) {
      Files.createDirectories(to.resolve("pg_wal").resolve("archive_status"));
      Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwx------"));
    }
  }

  private static Properties adminProperties(ServerFiles files) {
    Properties admin = new Properties();
    admin.setProperty("user", "postgres");
    admin.setProperty("sslmode", "verify-full");
    admin.setProperty("sslrootcert", files.caCertificate.toString());
    return admin;
  }

  /** One server of the pair. */
  private static final class Member extends FixtureServer {

    private final EmbeddedPostgres postgres;
    private final Path log;
    private final String role;
    private boolean closed;

    Member(ServerFiles files, EmbeddedPostgres postgres, Path log, String role) {
      super(files);
      this.postgres = postgres;
      this.log = log;
      this.role = role;
    }

    String adminUrl() {
      return "jdbc:postgresql://localhost:" + port() + "/postgres";
    }

    Connection admin() throws SQLException {
      return DriverManager.getConnection(adminUrl(), adminProperties(files));
    }

    @Override
    public String host() {
      return "localhost";
    }

    @Override
    public int port() {
      return postgres.getPort();
    }

    @Override
    public Optional<Path> serverLog() {
      return Optional.of(log);
    }

    /** Stops this server; its files go with the pair's. */
    @Override
    public synchronized void close() {
      if (closed) {
        return;
      }
      closed = true;
      try {
        postgres.close();
      } catch (IOException e) {
        throw new UncheckedIOException(role + " PostgreSQL did not stop cleanly", e);
      }
    }

    @Override
    public String toString() {
      return role + " PostgreSQL on localhost:" + port();
    }
  }
}
