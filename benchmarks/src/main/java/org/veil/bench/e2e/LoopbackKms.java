package org.veil.bench.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A loopback HTTP endpoint that speaks as much of the AWS KMS JSON protocol as Veil's AWS key
 * provider uses ({@code X-Amz-Target: TrentService.DescribeKey | GenerateDataKey | Encrypt |
 * Decrypt}), so the real AWS SDK client runs against it, with an added latency per call that
 * stands for the network round trip to KMS in-region (default 5 ms, {@code bench.kms.latencyMillis}).
 *
 * <p>One symmetric master key; blobs are AES-256-GCM under it with the request's encryption
 * context as associated data, so a blob only unwraps with the context it was made for, as in
 * KMS. Counts the calls it answers per operation. Replicates what the driver's own test endpoint
 * ({@code driver/src/test/java/org/veil/kms/FakeKmsServer}) does; test classes are not on the
 * benchmarks' class path.
 */
public final class LoopbackKms implements AutoCloseable {

  static final String KEY_UUID = "1234abcd-12ab-34cd-56ef-1234567890ab";
  static final String ARN = "arn:aws:kms:us-east-1:111122223333:key/" + KEY_UUID;
  static final String REGION = "us-east-1";

  private static final Pattern STRING_FIELD = Pattern.compile("\"([^\"]+)\"\\s*:\\s*\"([^\"]*)\"");

  private final Map<String, LongAdder> calls = new ConcurrentHashMap<>();
  private final SecureRandom random = new SecureRandom();
  private final SecretKeySpec masterKey;
  private final HttpServer server;
  private final ExecutorService executor;
  private volatile long latencyNanos;

  /** Starts on a free loopback port with {@code latencyMillis} added to every call. */
  public LoopbackKms(double latencyMillis) throws IOException {
    // Without TCP_NODELAY every exchange waits ~40 ms for a delayed ACK; must precede create().
    System.setProperty("sun.net.httpserver.nodelay", "true");
    setLatencyMillis(latencyMillis);
    byte[] k = new byte[32];
    random.nextBytes(k);
    masterKey = new SecretKeySpec(k, "AES");
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    executor = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "loopback-kms");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.start();
  }

  /** The added latency per call from system property {@code bench.kms.latencyMillis} (5). */
  public static double configuredLatencyMillis() {
    return Double.parseDouble(System.getProperty("bench.kms.latencyMillis", "5"));
  }

  public void setLatencyMillis(double millis) {
    latencyNanos = (long) (millis * 1_000_000);
  }

  public double latencyMillis() {
    return latencyNanos / 1e6;
  }

  /** {@code http://127.0.0.1:port}, for {@code veil.kms.endpoint}. */
  public String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /**
   * The {@code veil.*} settings that point Veil's AWS provider here. The SDK's credentials
   * chain finds the static dummy credentials in the {@code aws.accessKeyId} and
   * {@code aws.secretAccessKey} system properties, set here if absent (never real ones).
   */
  public Map<String, String> veilSettings() {
    if (System.getProperty("aws.accessKeyId") == null) {
      System.setProperty("aws.accessKeyId", "AKIDBENCHMARKDUMMY");
      System.setProperty("aws.secretAccessKey", "benchmark-dummy-secret");
    }
    return Map.of("veil.kms", "aws", "veil.kms.keyId", ARN, "veil.kms.region", REGION,
        "veil.kms.endpoint", endpoint());
  }

  /** Calls answered so far, by operation name ({@code GenerateDataKey}, {@code Decrypt}, …). */
  public Map<String, Long> calls() {
    Map<String, Long> m = new TreeMap<>();
    calls.forEach((op, n) -> m.put(op, n.sum()));
    return m;
  }

  public long totalCalls() {
    return calls.values().stream().mapToLong(LongAdder::sum).sum();
  }

  private void handle(HttpExchange exchange) throws IOException {
    long start = System.nanoTime();
    try (exchange) {
      String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
      String operation = target == null ? "" : target.substring(target.indexOf('.') + 1);
      Map<String, String> body = fields(
          new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      calls.computeIfAbsent(operation, o -> new LongAdder()).increment();
      String response;
      int status = 200;
      try {
        response = answer(operation, body);
      } catch (GeneralSecurityException | IllegalArgumentException e) {
        status = 400;
        response = "{\"__type\":\"InvalidCiphertextException\",\"message\":\"bad blob\"}";
      }
      if (response == null) {
        status = 400;
        response = "{\"__type\":\"UnsupportedOperationException\",\"message\":\"" + operation
            + "\"}";
      }
      long wait = latencyNanos - (System.nanoTime() - start);
      if (wait > 0) {
        sleep(wait);
      }
      byte[] bytes = response.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
      exchange.sendResponseHeaders(status, bytes.length);
      exchange.getResponseBody().write(bytes);
    }
  }

  private String answer(String operation, Map<String, String> body)
      throws GeneralSecurityException {
    String context = body.get("veil:key");
    switch (operation) {
      case "DescribeKey":
        return "{\"KeyMetadata\":{\"KeyId\":\"" + KEY_UUID + "\",\"Arn\":\"" + ARN
            + "\",\"Enabled\":true,\"KeyState\":\"Enabled\",\"KeyUsage\":\"ENCRYPT_DECRYPT\"}}";
      case "GenerateDataKey": {
        byte[] plaintext = new byte[32];
        random.nextBytes(plaintext);
        return "{\"CiphertextBlob\":\"" + b64(seal(plaintext, context)) + "\",\"Plaintext\":\""
            + b64(plaintext) + "\",\"KeyId\":\"" + ARN + "\"}";
      }
      case "Encrypt":
        return "{\"CiphertextBlob\":\"" + b64(seal(
            Base64.getDecoder().decode(body.get("Plaintext")), context)) + "\",\"KeyId\":\""
            + ARN + "\"}";
      case "Decrypt":
        return "{\"Plaintext\":\"" + b64(open(Base64.getDecoder().decode(
            body.get("CiphertextBlob")), context)) + "\",\"KeyId\":\"" + ARN
            + "\",\"EncryptionAlgorithm\":\"SYMMETRIC_DEFAULT\"}";
      default:
        return null;
    }
  }

  private byte[] seal(byte[] plaintext, String context) throws GeneralSecurityException {
    byte[] iv = new byte[12];
    random.nextBytes(iv);
    Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
    gcm.init(Cipher.ENCRYPT_MODE, masterKey, new GCMParameterSpec(128, iv));
    gcm.updateAAD(String.valueOf(context).getBytes(StandardCharsets.UTF_8));
    byte[] sealed = gcm.doFinal(plaintext);
    byte[] blob = new byte[12 + sealed.length];
    System.arraycopy(iv, 0, blob, 0, 12);
    System.arraycopy(sealed, 0, blob, 12, sealed.length);
    return blob;
  }

  private byte[] open(byte[] blob, String context) throws GeneralSecurityException {
    Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
    gcm.init(Cipher.DECRYPT_MODE, masterKey, new GCMParameterSpec(128, blob, 0, 12));
    gcm.updateAAD(String.valueOf(context).getBytes(StandardCharsets.UTF_8));
    return gcm.doFinal(blob, 12, blob.length - 12);
  }

  /** The string-valued fields of a flat-enough JSON request (KMS requests are). */
  private static Map<String, String> fields(String json) {
    Map<String, String> m = new java.util.HashMap<>();
    Matcher matcher = STRING_FIELD.matcher(json);
    while (matcher.find()) {
      m.put(matcher.group(1), matcher.group(2).replace("\\/", "/"));
    }
    return m;
  }

  private static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  private static void sleep(long nanos) {
    try {
      Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
