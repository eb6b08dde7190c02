package org.veil.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The memo that builds each runtime and database identity once. */
class RuntimesMemoTest {

  private static void await(CountDownLatch latch) throws SQLException {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted", e);
    }
  }

  @Test
  void callersArrivingTogetherShareOneBuild() throws Exception {
    Runtimes.Memo<String, Object> memo = new Runtimes.Memo<>();
    int threads = 32;
    AtomicInteger builds = new AtomicInteger();
    AtomicInteger arrived = new AtomicInteger();
    CountDownLatch allArrived = new CountDownLatch(threads);
    CyclicBarrier barrier = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Object>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        results.add(pool.submit(() -> {
          barrier.await();
          arrived.incrementAndGet();
          allArrived.countDown();
          return memo.get("settings@db", () -> {
            builds.incrementAndGet();
            // Still building when the last caller arrives.
            await(allArrived);
            return new Object();
          });
        }));
      }
      Object first = results.get(0).get();
      for (Future<Object> result : results) {
        assertThat(result.get()).isSameAs(first);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(arrived.get()).isEqualTo(threads);
    assertThat(builds.get()).isEqualTo(1);
  }

  @Test
  void aFailedBuildIsNotKept() throws Exception {
    Runtimes.Memo<String, String> memo = new Runtimes.Memo<>();
    AtomicInteger builds = new AtomicInteger();
    assertThatThrownBy(() -> memo.get("k", () -> {
      builds.incrementAndGet();
      throw new SQLException("KMS did not answer", "58000");
    })).isInstanceOf(SQLException.class).hasMessage("KMS did not answer");
    assertThat(memo.size()).isZero();

    assertThat(memo.get("k", () -> {
      builds.incrementAndGet();
      return "built";
    })).isEqualTo("built");
    assertThat(memo.get("k", () -> "never built")).isEqualTo("built");
    assertThat(builds.get()).isEqualTo(2);
  }

  @Test
  @Timeout(value = 1, unit = TimeUnit.MINUTES) // guards against a hang, asserts no timing
  void aSlowBuildDoesNotHoldUpAnotherKey() throws Exception {
    Runtimes.Memo<String, String> memo = new Runtimes.Memo<>();
    CountDownLatch otherBuilt = new CountDownLatch(1);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<String> slow = pool.submit(() -> memo.get("db-a", () -> {
        // Completes only once the other key has been built meanwhile.
        await(otherBuilt);
        return "a";
      }));
      assertThat(memo.get("db-b", () -> "b")).isEqualTo("b");
      otherBuilt.countDown();
      assertThat(slow.get()).isEqualTo("a");
    } finally {
      pool.shutdownNow();
    }
  }
}
