package org.veil.kms;

import java.net.URI;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.KmsClientBuilder;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.kms.model.EncryptResponse;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyResponse;
import software.amazon.awssdk.services.kms.model.IncorrectKeyException;
import software.amazon.awssdk.services.kms.model.InvalidCiphertextException;
import software.amazon.awssdk.services.kms.model.KmsException;

/**
 * AWS KMS as the key provider ({@code veil.kms=aws}): the master key is a KMS key that never
 * leaves KMS. Uses the AWS SDK v2 with the URL-connection HTTP client, the default credentials
 * chain, {@code veil.kms.region} and an optional {@code veil.kms.endpoint}.
 *
 * <h2>Security guarantees</h2>
 * Every call carries the {@link KeyContext} as its encryption context
 * ({@link KeyContext#encryptionContext()}): {@code {"veil:key": <key id>, "veil:keyring": …,
 * "veil:purpose": …}} for the keys of {@code veil_keys}, {@code {"veil:key": <key id>}} for keys
 * wrapped before keyring and purpose were bound and for directly wrapped row keys. KMS
 * authenticates it, so a blob cannot be unwrapped for another key, keyring or purpose, and
 * CloudTrail names all three in each entry. The key id in every answer is checked against the
 * key ARN that {@link #describe()} resolved at start.
 *
 * <p>Only loaded when {@code veil.kms=aws}: nothing else in Veil refers to this class, so users
 * of the local provider do not need the SDK. Thread-safe.
 */
final class AwsKmsKeyProvider implements KeyProvider {

  private final KmsClient client;
  private final String configuredKeyId;
  private final String keyArn;

  AwsKmsKeyProvider(KeyProviderSettings settings) throws KeyProviderException {
    if (settings.keyId() == null || settings.keyId().isEmpty()) {
      throw new KeyProviderException("veil.kms=aws needs veil.kms.keyId: the KMS key ARN, key id"
          + " or alias/name", false);
    }
    this.configuredKeyId = settings.keyId();
    KmsClientBuilder builder = KmsClient.builder()
        .httpClientBuilder(UrlConnectionHttpClient.builder()
            .connectionTimeout(settings.timeout())
            .socketTimeout(settings.timeout()))
        .overrideConfiguration(c -> c.apiCallTimeout(settings.timeout())
            .apiCallAttemptTimeout(settings.timeout()));
    if (settings.region() != null) {
      builder.region(Region.of(settings.region()));
    }
    if (settings.endpoint() != null) {
      builder.endpointOverride(URI.create(settings.endpoint()));
    }
    try {
      this.client = builder.build();
    } catch (SdkException e) {
      throw new KeyProviderException("cannot create the AWS KMS client (set veil.kms.region?): "
          + e.getMessage(), false, e);
    }
    String arn;
    try {
      arn = describeKey();
    } catch (KeyProviderException e) {
      client.close();
      throw e;
    }
    this.keyArn = arn;
  }

  @Override
  public String name() {
    return "aws";
  }

  @Override
  public String masterKeyId() {
    return keyArn;
  }

  @Override
  public DataKey generateDataKey(KeyContext context) throws KeyProviderException {
    try {
      GenerateDataKeyResponse r = client.generateDataKey(b -> b.keyId(keyArn)
          .keySpec(DataKeySpec.AES_256).encryptionContext(context.encryptionContext()));
      return new DataKey(r.plaintext().asByteArray(), r.ciphertextBlob().asByteArray(),
          checked(r.keyId(), "GenerateDataKey"));
    } catch (SdkException e) {
      throw failure("GenerateDataKey", context, e);
    }
  }

  @Override
  public WrappedKey wrap(byte[] key, KeyContext context) throws KeyProviderException {
    try {
      EncryptResponse r = client.encrypt(b -> b.keyId(keyArn).plaintext(SdkBytes.fromByteArray(key))
          .encryptionContext(context.encryptionContext()));
      return new WrappedKey(r.ciphertextBlob().asByteArray(), checked(r.keyId(), "Encrypt"));
    } catch (SdkException e) {
      throw failure("Encrypt", context, e);
    }
  }

  @Override
  public UnwrappedKey unwrap(byte[] blob, KeyContext context) throws KeyProviderException {
    try {
      DecryptResponse r = client.decrypt(b -> b.keyId(keyArn)
          .ciphertextBlob(SdkBytes.fromByteArray(blob))
          .encryptionContext(context.encryptionContext()));
      return new UnwrappedKey(r.plaintext().asByteArray(), checked(r.keyId(), "Decrypt"));
    } catch (SdkException e) {
      throw failure("Decrypt", context, e);
    }
  }

  @Override
  public String describe() throws KeyProviderException {
    return describeKey();
  }

  private String describeKey() throws KeyProviderException {
    try {
      var metadata = client.describeKey(b -> b.keyId(configuredKeyId)).keyMetadata();
      if (metadata.enabled() != null && !metadata.enabled()) {
        throw new KeyProviderException("the KMS key " + metadata.arn() + " (veil.kms.keyId="
            + configuredKeyId + ") is disabled", false);
      }
      return metadata.arn();
    } catch (SdkException e) {
      throw failure("DescribeKey", configuredKeyId, e);
    }
  }

  private String checked(String answeredKeyId, String operation) throws KeyProviderException {
    if (answeredKeyId == null || !answeredKeyId.equals(keyArn)) {
      throw new KeyProviderException("KMS " + operation + " answered for key " + answeredKeyId
          + ", not the configured " + keyArn + " (veil.kms.keyId=" + configuredKeyId + ")", false);
    }
    return answeredKeyId;
  }

  private KeyProviderException failure(String operation, Object context, SdkException e) {
    boolean unavailable = e instanceof ApiCallTimeoutException
        || e instanceof ApiCallAttemptTimeoutException || e instanceof AbortedException
        || (e instanceof SdkClientException && !(e instanceof KmsException))
        || (e instanceof KmsException && (((KmsException) e).statusCode() >= 500
            || ((KmsException) e).isThrottlingException()));
    String code = e instanceof KmsException && ((KmsException) e).awsErrorDetails() != null
        ? ((KmsException) e).awsErrorDetails().errorCode() : e.getClass().getSimpleName();
    String message = "AWS KMS " + operation + " for " + context + " with key "
        + (keyArn == null ? configuredKeyId : keyArn) + " failed: " + code
        + (unavailable ? " (KMS unavailable or too slow)" : "");
    // KMS answers InvalidCiphertextException for a blob that does not authenticate with the
    // encryption context given, IncorrectKeyException for one that another KMS key made.
    return e instanceof InvalidCiphertextException || e instanceof IncorrectKeyException
        ? new BlobAuthenticationException(message, e)
        : new KeyProviderException(message, unavailable, e);
  }

  @Override
  public void close() {
    client.close();
  }

  @Override
  public String toString() {
    return "AwsKmsKeyProvider[" + (keyArn == null ? configuredKeyId : keyArn) + "]";
  }
}
