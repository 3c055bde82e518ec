package cnht;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.settings.Settings;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * N OpenSearch nodes in one JVM on loopback, for the test run: the server and its netty4, analysis-common and
 * painless modules come from Maven Central as jars and are loaded from the classpath (Node's protected
 * constructor takes plugin classes), so no distribution archive is needed. -Dnodes, -Dhttp.port (first
 * node; the others follow), -Dtransport.port. With -Dcontrol=DIR, a file "stop-N" or "start-N" put there
 * stops or restarts node N (same data folder), for the node-loss test; the file is removed when done.
 */
public final class SearchCluster {
    static final class ClasspathNode extends Node {
        ClasspathNode(Settings settings, Collection<Class<? extends Plugin>> plugins) {
            super(InternalSettingsPreparer.prepareEnvironment(settings, Collections.emptyMap(), null, () -> settings.get("node.name")),
                  plugins, true);
        }
    }

    public static void main(String[] args) throws Exception {
        int nodes = Integer.parseInt(System.getProperty("nodes", "3"));
        int http = Integer.parseInt(System.getProperty("http.port", "9250"));
        int transport = Integer.parseInt(System.getProperty("transport.port", "9350"));
        Path home = Files.createTempDirectory("cnht-search-");
        List<String> seeds = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            seeds.add("127.0.0.1:" + (transport + i));
            names.add("node-" + i);
        }
        List<Settings> settings = new ArrayList<>();
        List<Node> started = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            Path dir = home.resolve("node-" + i);
            Files.createDirectories(dir);
            Settings s = Settings.builder()
                    .put("cluster.name", "cnht-test")
                    .put("node.name", "node-" + i)
                    .put("path.home", dir.toString())
                    .put("path.data", dir.resolve("data").toString())
                    .put("network.host", "127.0.0.1")
                    .put("http.port", http + i)
                    .put("transport.port", transport + i)
                    .putList("discovery.seed_hosts", seeds)
                    .putList("cluster.initial_cluster_manager_nodes", names)
                    .put("bootstrap.memory_lock", false)
                    .put("action.auto_create_index", true)
                    .build();
            settings.add(s);
            started.add(start(s));
            System.out.println("started node-" + i + " http " + (http + i));
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Node n : started) {
                try { if (n != null) n.close(); } catch (Exception ignored) { }
            }
        }));
        String control = System.getProperty("control");
        if (control == null) {
            Thread.currentThread().join();
            return;
        }
        Path dir = Path.of(control);
        Files.createDirectories(dir);
        while (true) {
            for (int i = 0; i < nodes; i++) {
                Path stop = dir.resolve("stop-" + i), restart = dir.resolve("start-" + i);
                if (Files.exists(stop)) {
                    Node n = started.set(i, null);
                    if (n != null) n.close();
                    System.out.println("stopped node-" + i);
                    Files.delete(stop);
                }
                if (Files.exists(restart)) {
                    if (started.get(i) == null) started.set(i, start(settings.get(i)));
                    System.out.println("restarted node-" + i);
                    Files.delete(restart);
                }
            }
            Thread.sleep(100);
        }
    }

    static Node start(Settings s) throws Exception {
        Node node = new ClasspathNode(s, List.of(Netty4Plugin.class, CommonAnalysisPlugin.class, PainlessPlugin.class));
        node.start();
        return node;
    }
}
