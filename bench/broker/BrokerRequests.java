// Prints a local Kafka broker's cumulative request counters, one tab-separated line each:
// metric, API key, version; count; sum (count × mean, for the time histograms, in ms).
// Two snapshots around a benchmark phase give requests per event by API key and the time
// the broker's request handlers spent on each (see docs/PIPELINE-PERF.md).
//
//   java bench/broker/BrokerRequests.java <broker pid>
//
// It attaches to the JVM (same user) and starts its local JMX agent: no broker restart,
// no remote JMX port.
import com.sun.tools.attach.VirtualMachine;
import java.util.Map;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

public class BrokerRequests {
  private static final String[] PATTERNS = {
    "kafka.network:type=RequestMetrics,name=RequestsPerSec,*",
    "kafka.network:type=RequestMetrics,name=LocalTimeMs,*",
    "kafka.network:type=RequestMetrics,name=TotalTimeMs,*",
    "kafka.network:type=RequestMetrics,name=RequestQueueTimeMs,*",
    "kafka.log:type=LogFlushStats,*",
    "kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec",
    "kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec",
  };

  public static void main(String[] args) throws Exception {
    if (args.length != 1) throw new IllegalArgumentException("usage: BrokerRequests <broker pid>");
    VirtualMachine vm = VirtualMachine.attach(args[0]);
    String url = vm.startLocalManagementAgent();
    vm.detach();
    try (JMXConnector c = JMXConnectorFactory.connect(new JMXServiceURL(url))) {
      MBeanServerConnection s = c.getMBeanServerConnection();
      for (String pattern : PATTERNS) {
        for (ObjectName n : s.queryNames(new ObjectName(pattern), null)) {
          Map<String, String> p = n.getKeyPropertyList();
          String key = p.get("name") + " " + p.getOrDefault("request", "-") + " " + p.getOrDefault("version", "-");
          double count = ((Number) s.getAttribute(n, "Count")).doubleValue();
          double sum = 0;
          // Meters have no mean; histograms do.
          try {
            sum = count * ((Number) s.getAttribute(n, "Mean")).doubleValue();
          } catch (javax.management.AttributeNotFoundException e) {
            sum = 0;
          }
          System.out.println(key + "\t" + (long) count + "\t" + (long) sum);
        }
      }
    }
  }
}
