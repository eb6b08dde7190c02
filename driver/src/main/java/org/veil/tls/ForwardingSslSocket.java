package org.veil.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import javax.net.ssl.HandshakeCompletedListener;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * An {@link SSLSocket} that forwards every call to another one, and does nothing else: the flat
 * base of {@link VerifiedTlsSocket}, which overrides the few calls it guards.
 *
 * <p>Every public, non-final method of {@code SSLSocket} and {@code Socket} is forwarded (a test
 * checks that none is missing, as a newer JDK may add some); only
 * {@code setOption} differs (it returns this socket, not the delegate).
 */
abstract class ForwardingSslSocket extends SSLSocket {

  protected final SSLSocket delegate;

  ForwardingSslSocket(SSLSocket delegate) {
    this.delegate = delegate;
  }

  @Override
  public void addHandshakeCompletedListener(HandshakeCompletedListener arg0) {
    delegate.addHandshakeCompletedListener(arg0);
  }

  @Override
  public void bind(SocketAddress arg0) throws IOException {
    delegate.bind(arg0);
  }

  @Override
  public void close() throws IOException {
    delegate.close();
  }

  @Override
  public void connect(SocketAddress arg0, int arg1) throws IOException {
    delegate.connect(arg0, arg1);
  }

  @Override
  public void connect(SocketAddress arg0) throws IOException {
    delegate.connect(arg0);
  }

  @Override
  public String getApplicationProtocol() {
    return delegate.getApplicationProtocol();
  }

  @Override
  public SocketChannel getChannel() {
    return delegate.getChannel();
  }

  @Override
  public boolean getEnableSessionCreation() {
    return delegate.getEnableSessionCreation();
  }

  @Override
  public String[] getEnabledCipherSuites() {
    return delegate.getEnabledCipherSuites();
  }

  @Override
  public String[] getEnabledProtocols() {
    return delegate.getEnabledProtocols();
  }

  @Override
  public BiFunction<SSLSocket, List<String>, String> getHandshakeApplicationProtocolSelector() {
    return delegate.getHandshakeApplicationProtocolSelector();
  }

  @Override
  public String getHandshakeApplicationProtocol() {
    return delegate.getHandshakeApplicationProtocol();
  }

  @Override
  public SSLSession getHandshakeSession() {
    return delegate.getHandshakeSession();
  }

  @Override
  public InetAddress getInetAddress() {
    return delegate.getInetAddress();
  }

  @Override
  public InputStream getInputStream() throws IOException {
    return delegate.getInputStream();
  }

  @Override
  public boolean getKeepAlive() throws SocketException {
    return delegate.getKeepAlive();
  }

  @Override
  public InetAddress getLocalAddress() {
    return delegate.getLocalAddress();
  }

  @Override
  public int getLocalPort() {
    return delegate.getLocalPort();
  }

  @Override
  public SocketAddress getLocalSocketAddress() {
    return delegate.getLocalSocketAddress();
  }

  @Override
  public boolean getNeedClientAuth() {
    return delegate.getNeedClientAuth();
  }

  @Override
  public boolean getOOBInline() throws SocketException {
    return delegate.getOOBInline();
  }

  @Override
  public <T> T getOption(SocketOption<T> arg0) throws IOException {
    return delegate.getOption(arg0);
  }

  @Override
  public OutputStream getOutputStream() throws IOException {
    return delegate.getOutputStream();
  }

  @Override
  public int getPort() {
    return delegate.getPort();
  }

  @Override
  public int getReceiveBufferSize() throws SocketException {
    return delegate.getReceiveBufferSize();
  }

  @Override
  public SocketAddress getRemoteSocketAddress() {
    return delegate.getRemoteSocketAddress();
  }

  @Override
  public boolean getReuseAddress() throws SocketException {
    return delegate.getReuseAddress();
  }

  @Override
  public SSLParameters getSSLParameters() {
    return delegate.getSSLParameters();
  }

  @Override
  public int getSendBufferSize() throws SocketException {
    return delegate.getSendBufferSize();
  }

  @Override
  public SSLSession getSession() {
    return delegate.getSession();
  }

  @Override
  public int getSoLinger() throws SocketException {
    return delegate.getSoLinger();
  }

  @Override
  public int getSoTimeout() throws SocketException {
    return delegate.getSoTimeout();
  }

  @Override
  public String[] getSupportedCipherSuites() {
    return delegate.getSupportedCipherSuites();
  }

  @Override
  public String[] getSupportedProtocols() {
    return delegate.getSupportedProtocols();
  }

  @Override
  public boolean getTcpNoDelay() throws SocketException {
    return delegate.getTcpNoDelay();
  }

  @Override
  public int getTrafficClass() throws SocketException {
    return delegate.getTrafficClass();
  }

  @Override
  public boolean getUseClientMode() {
    return delegate.getUseClientMode();
  }

  @Override
  public boolean getWantClientAuth() {
    return delegate.getWantClientAuth();
  }

  @Override
  public boolean isBound() {
    return delegate.isBound();
  }

  @Override
  public boolean isClosed() {
    return delegate.isClosed();
  }

  @Override
  public boolean isConnected() {
    return delegate.isConnected();
  }

  @Override
  public boolean isInputShutdown() {
    return delegate.isInputShutdown();
  }

  @Override
  public boolean isOutputShutdown() {
    return delegate.isOutputShutdown();
  }

  @Override
  public void removeHandshakeCompletedListener(HandshakeCompletedListener arg0) {
    delegate.removeHandshakeCompletedListener(arg0);
  }

  @Override
  public void sendUrgentData(int arg0) throws IOException {
    delegate.sendUrgentData(arg0);
  }

  @Override
  public void setEnableSessionCreation(boolean arg0) {
    delegate.setEnableSessionCreation(arg0);
  }

  @Override
  public void setEnabledCipherSuites(String[] arg0) {
    delegate.setEnabledCipherSuites(arg0);
  }

  @Override
  public void setEnabledProtocols(String[] arg0) {
    delegate.setEnabledProtocols(arg0);
  }

  @Override
  public void setHandshakeApplicationProtocolSelector(BiFunction<SSLSocket, List<String>, String> arg0) {
    delegate.setHandshakeApplicationProtocolSelector(arg0);
  }

  @Override
  public void setKeepAlive(boolean arg0) throws SocketException {
    delegate.setKeepAlive(arg0);
  }

  @Override
  public void setNeedClientAuth(boolean arg0) {
    delegate.setNeedClientAuth(arg0);
  }

  @Override
  public void setOOBInline(boolean arg0) throws SocketException {
    delegate.setOOBInline(arg0);
  }

  @Override
  public <T> Socket setOption(SocketOption<T> arg0, T arg1) throws IOException {
    delegate.setOption(arg0, arg1);
    return this;
  }

  @Override
  public void setPerformancePreferences(int arg0, int arg1, int arg2) {
    delegate.setPerformancePreferences(arg0, arg1, arg2);
  }

  @Override
  public void setReceiveBufferSize(int arg0) throws SocketException {
    delegate.setReceiveBufferSize(arg0);
  }

  @Override
  public void setReuseAddress(boolean arg0) throws SocketException {
    delegate.setReuseAddress(arg0);
  }

  @Override
  public void setSSLParameters(SSLParameters arg0) {
    delegate.setSSLParameters(arg0);
  }

  @Override
  public void setSendBufferSize(int arg0) throws SocketException {
    delegate.setSendBufferSize(arg0);
  }

  @Override
  public void setSoLinger(boolean arg0, int arg1) throws SocketException {
    delegate.setSoLinger(arg0, arg1);
  }

  @Override
  public void setSoTimeout(int arg0) throws SocketException {
    delegate.setSoTimeout(arg0);
  }

  @Override
  public void setTcpNoDelay(boolean arg0) throws SocketException {
    delegate.setTcpNoDelay(arg0);
  }

  @Override
  public void setTrafficClass(int arg0) throws SocketException {
    delegate.setTrafficClass(arg0);
  }

  @Override
  public void setUseClientMode(boolean arg0) {
    delegate.setUseClientMode(arg0);
  }

  @Override
  public void setWantClientAuth(boolean arg0) {
    delegate.setWantClientAuth(arg0);
  }

  @Override
  public void shutdownInput() throws IOException {
    delegate.shutdownInput();
  }

  @Override
  public void shutdownOutput() throws IOException {
    delegate.shutdownOutput();
  }

  @Override
  public void startHandshake() throws IOException {
    delegate.startHandshake();
  }

  @Override
  public Set<SocketOption<?>> supportedOptions() {
    return delegate.supportedOptions();
  }

  @Override
  public String toString() {
    return delegate.toString();
  }
}
