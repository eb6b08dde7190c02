package org.veil.kms;

/**
 * {@code veil.kms=aws}: see {@link AwsKmsKeyProvider}. This class refers to no AWS SDK type, so
 * {@link java.util.ServiceLoader} can instantiate it on a class path without the SDK.
 */
public final class AwsKmsKeyProviderFactory implements KeyProviderFactory {

  @Override
  public String name() {
    return "aws";
  }

  @Override
  public KeyProvider create(KeyProviderSettings settings) throws KeyProviderException {
    try {
      Class.forName("software.amazon.awssdk.services.kms.KmsClient", false,
          AwsKmsKeyProviderFactory.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new KeyProviderException("veil.kms=aws needs the AWS SDK on the class path:"
          + " software.amazon.awssdk:kms and software.amazon.awssdk:url-connection-client", false, e);
    }
    return new AwsKmsKeyProvider(settings);
  }
}
