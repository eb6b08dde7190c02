package org.veil.metrics;

import java.lang.management.ManagementFactory;
import java.util.Map;
import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.InstanceAlreadyExistsException;
import javax.management.JMException;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Veil's counters as one MBean in the platform MBean server,
 * {@code org.veil:type=Metrics,name=<veil.metrics.name>}: one read-only {@code long} attribute
 * per entry of {@link VeilDiagnostics#snapshot()}. A second data source with the same name gets
 * {@code name=<name>-2} (then {@code -3}, …). Thread-safe.
 */
final class JmxMetrics implements DynamicMBean {

  private final VeilDiagnostics diagnostics;
  private final MBeanInfo info;

  private JmxMetrics(VeilDiagnostics diagnostics) {
    this.diagnostics = diagnostics;
    Map<String, Long> names = diagnostics.snapshot();
    MBeanAttributeInfo[] attributes = names.keySet().stream()
        .map(n -> new MBeanAttributeInfo(n, "long", n, true, false, false))
        .toArray(MBeanAttributeInfo[]::new);
    this.info = new MBeanInfo(JmxMetrics.class.getName(), "Veil's counters", attributes, null,
        null, null);
  }

  /** The object name a data source named {@code name} is registered under first. */
  static ObjectName objectName(String name) throws JMException {
    return new ObjectName("org.veil:type=Metrics,name=" + ObjectName.quote(name));
  }

  /** @return unregisters it again */
  static AutoCloseable register(VeilDiagnostics diagnostics, String name) {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    JmxMetrics bean = new JmxMetrics(diagnostics);
    try {
      for (int i = 1; ; i++) {
        ObjectName on = objectName(i == 1 ? name : name + "-" + i);
        try {
          server.registerMBean(bean, on);
          return () -> server.unregisterMBean(on);
        } catch (InstanceAlreadyExistsException taken) {
          if (i >= 1000) {
            throw taken;
          }
        }
      }
    } catch (JMException e) {
      throw new IllegalStateException("cannot register Veil's MBean for " + name + ": "
          + e.getMessage(), e);
    }
  }

  @Override
  public Object getAttribute(String attribute) throws AttributeNotFoundException {
    Long value = diagnostics.snapshot().get(attribute);
    if (value == null) {
      throw new AttributeNotFoundException(attribute);
    }
    return value;
  }

  @Override
  public void setAttribute(Attribute attribute) throws AttributeNotFoundException {
    throw new AttributeNotFoundException(attribute.getName() + " is read-only");
  }

  @Override
  public AttributeList getAttributes(String[] attributes) {
    Map<String, Long> snapshot = diagnostics.snapshot();
    AttributeList list = new AttributeList();
    for (String a : attributes) {
      Long value = snapshot.get(a);
      if (value != null) {
        list.add(new Attribute(a, value));
      }
    }
    return list;
  }

  @Override
  public AttributeList setAttributes(AttributeList attributes) {
    return new AttributeList();
  }

  @Override
  public Object invoke(String actionName, Object[] params, String[] signature) {
    throw new UnsupportedOperationException("Veil's metrics MBean has no operations");
  }

  @Override
  public MBeanInfo getMBeanInfo() {
    return info;
  }
}
