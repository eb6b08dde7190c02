package org.veil.it.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.veil.jdbc.VeilDriver;
import org.veil.kms.FakeKmsServer;
import org.veil.testing.PostgresServer;
import org.veil.testing.TestPostgres;

/**
 * Many threads making their first connection at once, with the AWS key provider against a
 * loopback KMS that answers slowly: the runtime, and with it the KMS client, is built once.
 */
class ConcurrentFirstConnectionsIT {

  private static final int THREADS = 32;

  private static FakeKmsServer kms;
  private static PostgresServer server;

  @BeforeAll
  static void setUp() throws Exception {
    // Static dummy credentials for the SDK's default chain; the loopback KMS checks none.
    System.setProperty("aws.accessKeyId", "AKIDEXAMPLE");
    System.setProperty("aws.secretAccessKey", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    kms = new FakeKmsServer();
    server = TestPostgres.shared();
    try (Connection c = server.plainConnection(); Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS first_connections");
      s.execute("CREATE TABLE first_connections (id int PRIMARY KEY, body bytea)");
    }
  }

  @AfterAll
  static void tearDown() {
    if (kms != null) {
      kms.close();
    }
  }

  @Test
  void thirtyTwoConcurrentFirstConnectionsBuildOneRuntimeAndOneKmsClient() throws Exception {
    // Slow enough that every thread arrives while the first one still waits for DescribeKey.
    kms.delayMillis = 500;
    Properties props = server.connectionProperties();
    props.setProperty("veil.columns", "first_connections.body");
    props.setProperty("veil.kms", "aws");
    props.setProperty("veil.kms.keyId", FakeKmsServer.ALIAS);
    props.setProperty("veil.kms.region", "us-east-1");
    props.setProperty("veil.kms.endpoint", kms.endpoint());
    props.setProperty("veil.keys.keyring", "concurrent-first");
    VeilDriver driver = new VeilDriver();
    CyclicBarrier barrier = new CyclicBarrier(THREADS);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<Integer>> answers = new ArrayList<>();
      for (int i = 0; i < THREADS; i++) {
        answers.add(pool.submit(() -> {
          barrier.await();
          try (Connection c = driver.connect(server.veilUrl(), props);
              Statement s = c.createStatement();
              ResultSet rs = s.executeQuery("SELECT count(*) FROM first_connections")) {
            rs.next();
            return rs.getInt(1);
          }
        }));
      }
      for (Future<Integer> answer : answers) {
        assertThat(answer.get()).isZero();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(kms.count("DescribeKey")).isEqualTo(1);
  }
}
