package org.veil.kms;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A loopback HTTP server that speaks enough of the AWS KMS JSON protocol
 * ({@code X-Amz-Target: TrentService.GenerateDataKey/Encrypt/Decrypt/DescribeKey}) for the real
 * SDK client: two symmetric keys ({@link #ARN}, and {@link #OTHER_ARN} for a second master key),
 * blobs made with AES-GCM under the key the request names, bound to the whole encryption
 * context (every entry, as KMS binds it). Counts calls per operation and records the encryption
 * contexts it saw.
 */
public final class FakeKmsServer implements AutoCloseable {

  public static final String KEY_UUID = "1234abcd-12ab-34cd-56ef-1234567890ab";
  public static final String ARN = "arn:aws:kms:us-east-1:111122223333:key/" + KEY_UUID;
  public static final String ALIAS = "alias/veil-test";
  public static final String OTHER_KEY_UUID = "5678efab-56ef-78ab-90cd-5678901234ef";
  public static final String OTHER_ARN = "arn:aws:kms:us-east-1:111122223333:key/"
      + OTHER_KEY_UUID;
  public static final String OTHER_ALIAS = "alias/veil-test-other";

  public final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  /** {@code "<operation> <veil:key>"} of each call that carried a {@code veil:key} entry. */
  public final List<String> contexts = new CopyOnWriteArrayList<>();
  /** Each call's operation and whole encryption context, as the request carried them. */
  public final List<Request> requests = new CopyOnWriteArrayList<>();
  /** The key id every answer names; null for the ARN of the key the request named. */
  public volatile String answerKeyId;
  /** How long each call waits before it is answered, as a slow KMS would; 0 by default. */
  public volatile long delayMillis;
  private final HttpServer server;
  private final Map<String, FakeKey> keys = new ConcurrentHashMap<>();
  private final SecureRandom random = new SecureRandom();

  private record FakeKey(String uuid, String arn, SecretKeySpec key) {}

  /** One call as received: its operation and its encryption context (empty when none). */
  public record Request(String operation, Map<String, String> encryptionContext) {}

  public FakeKmsServer() throws IOException {
    // Without TCP_NODELAY each exchange waits ~40 ms for a delayed ACK.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    for (String[] names : new String[][] {{KEY_UUID, ARN, ALIAS},
        {OTHER_KEY_UUID, OTHER_ARN, OTHER_ALIAS}}) {
      byte[] k = new byte[32];
      random.nextBytes(k);
      FakeKey key = new FakeKey(names[0], names[1], new SecretKeySpec(k, "AES"));
      for (String name : names) {
        keys.put(name, key);
      }
    }
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  public String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public int count(String operation) {
    AtomicInteger n = calls.get(operation);
    return n == null ? 0 : n.get();
  }

  private void handle(HttpExchange exchange) throws IOException {
    String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    String operation = target == null ? "" : target.substring(target.indexOf('.') + 1);
    calls.computeIfAbsent(operation, o -> new AtomicInteger()).incrementAndGet();
    try {
      if (delayMillis > 0) {
        Thread.sleep(delayMillis);
      }
      String keyId = field(body, "KeyId");
      FakeKey key = keys.get(keyId == null ? ARN : keyId);
      if (key == null) {
        reply(exchange, 400, "{\"__type\":\"NotFoundException\",\"message\":\"no such key\"}");
        return;
      }
      String answer = answerKeyId != null ? answerKeyId : key.arn();
      Map<String, String> encryptionContext = encryptionContext(body);
      requests.add(new Request(operation, encryptionContext));
      if (encryptionContext.containsKey("veil:key")) {
        contexts.add(operation + " " + encryptionContext.get("veil:key"));
      }
      byte[] context = associatedData(encryptionContext);
      switch (operation) {
        case "DescribeKey":
          reply(exchange, 200, "{\"KeyMetadata\":{\"KeyId\":\"" + key.uuid() + "\",\"Arn\":\""
              + key.arn() + "\",\"Enabled\":true,\"KeyState\":\"Enabled\",\"KeyUsage\":"
              + "\"ENCRYPT_DECRYPT\"}}");
          return;
        case "GenerateDataKey": {
          byte[] plaintext = new byte[32];
          random.nextBytes(plaintext);
          reply(exchange, 200, "{\"CiphertextBlob\":\"" + b64(seal(key, plaintext, context))
              + "\",\"Plaintext\":\"" + b64(plaintext) + "\",\"KeyId\":\"" + answer + "\"}");
          return;
        }
        case "Encrypt":
          reply(exchange, 200, "{\"CiphertextBlob\":\"" + b64(seal(key,
              Base64.getDecoder().decode(field(body, "Plaintext")), context))
              + "\",\"KeyId\":\"" + answer + "\"}");
          return;
        case "Decrypt": {
          byte[] plaintext;
          try {
            plaintext = open(key, Base64.getDecoder().decode(field(body, "CiphertextBlob")),
                context);
          } catch (Exception e) {
            reply(exchange, 400, "{\"__type\":\"InvalidCiphertextException\",\"message\":null}");
            return;
          }
          reply(exchange, 200, "{\"Plaintext\":\"" + b64(plaintext) + "\",\"KeyId\":\""
              + answer + "\",\"EncryptionAlgorithm\":\"SYMMETRIC_DEFAULT\"}");
          return;
        }
        default:
          reply(exchange, 400, "{\"__type\":\"UnsupportedOperationException\"}");
      }
    } catch (Exception e) {
      reply(exchange, 500, "{\"__type\":\"KMSInternalException\",\"message\":\"fake\"}");
    }
  }

  /** The encryption context of a request: its {@code EncryptionContext} object, sorted by key. */
  private static Map<String, String> encryptionContext(String json) {
    Matcher object = Pattern.compile("\"EncryptionContext\"\\s*:\\s*\\{([^}]*)\\}")
        .matcher(json);
    Map<String, String> entries = new TreeMap<>();
    if (object.find()) {
      Matcher entry = Pattern.compile(JSON_STRING + "\\s*:\\s*" + JSON_STRING)
          .matcher(object.group(1));
      while (entry.find()) {
        entries.put(unescape(entry.group(1)), unescape(entry.group(2)));
      }
    }
    return Collections.unmodifiableMap(entries);
  }

  /** Every entry, length-prefixed, in key order: one byte string per map. */
  private static byte[] associatedData(Map<String, String> context) {
    StringBuilder aad = new StringBuilder();
    context.forEach((k, v) -> aad.append(k.length()).append(':').append(k)
        .append(v.length()).append(':').append(v));
    return aad.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static final String JSON_STRING = "\"((?:[^\"\\\\]|\\\\.)*)\"";

  private static String unescape(String s) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '\\') {
        out.append(c);
        continue;
      }
      char e = s.charAt(++i);
      switch (e) {
        case 'u' -> {
          out.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
          i += 4;
        }
        case 'n' -> out.append('\n');
        case 't' -> out.append('\t');
        case 'r' -> out.append('\r');
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        default -> out.append(e);
      }
    }
    return out.toString();
  }

  private byte[] seal(FakeKey key, byte[] plaintext, byte[] context) throws Exception {
    byte[] iv = new byte[12];
    random.nextBytes(iv);
    Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
    gcm.init(Cipher.ENCRYPT_MODE, key.key(), new GCMParameterSpec(128, iv));
    gcm.updateAAD(context);
    byte[] c = gcm.doFinal(plaintext);
    byte[] blob = new byte[12 + c.length];
    System.arraycopy(iv, 0, blob, 0, 12);
    System.arraycopy(c, 0, blob, 12, c.length);
    return blob;
  }

  private byte[] open(FakeKey key, byte[] blob, byte[] context) throws Exception {
    Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
    gcm.init(Cipher.DECRYPT_MODE, key.key(), new GCMParameterSpec(128, blob, 0, 12));
    gcm.updateAAD(context);
    return gcm.doFinal(blob, 12, blob.length - 12);
  }

  private static String field(String json, String name) {
    Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\"([^\"]*)\"")
        .matcher(json);
    return m.find() ? m.group(1).replace("\\/", "/") : null;
  }

  private static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  private static void reply(HttpExchange exchange, int status, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
    exchange.sendResponseHeaders(status, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
