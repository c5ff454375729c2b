package dev.tollgate.it.apps.isolation;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.PackageVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URL;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A host with its own (old) Jackson and SLF4J 1.7. With the agent attached it must still get its own versions,
 * must not be able to load any of the agent's classes except the bootstrap facade, and must not discover the
 * agent's service files.
 */
public final class IsolationApp {

    static final List<String> AGENT_INTERNALS = List.of(
            "net.bytebuddy.ByteBuddy",
            "dev.tollgate.policy.PolicyLoader",
            "dev.tollgate.policy.engine.PolicyEngine",
            "org.yaml.snakeyaml.Yaml",
            "com.fasterxml.jackson.dataformat.yaml.YAMLFactory",
            "dev.tollgate.agent.installer.AgentInstaller");

    static final String BOOTSTRAP_FACADE = "dev.tollgate.bootstrap.Guard";
    static final String JSON_FACTORY_SERVICE = "META-INF/services/com.fasterxml.jackson.core.JsonFactory";

    private IsolationApp() {
    }

    public static void main(String[] args) throws Exception {
        Logger log = LoggerFactory.getLogger(IsolationApp.class);
        String json = new ObjectMapper().writeValueAsString(Map.of("host", "isolation-app"));
        log.info("serialized {}", json);
        System.out.println("json=" + json);
        System.out.println("jackson=" + PackageVersion.VERSION);
        for (String name : AGENT_INTERNALS) {
            System.out.println((visible(name) ? "VISIBLE " : "HIDDEN ") + name);
        }
        System.out.println("BOOTSTRAP " + visible(BOOTSTRAP_FACADE));
        int agentServices = 0;
        for (URL url : Collections.list(ClassLoader.getSystemClassLoader().getResources(JSON_FACTORY_SERVICE))) {
            if (url.toString().contains("tollgate-agent")) {
                agentServices++;
            }
        }
        System.out.println("AGENT_JSONFACTORY_SERVICES " + agentServices);
        System.out.println("ISOLATION DONE");
    }

    /** Loadable by name through the system class loader or the context class loader. */
    private static boolean visible(String name) {
        return loadable(name, ClassLoader.getSystemClassLoader())
                || loadable(name, Thread.currentThread().getContextClassLoader());
    }

    private static boolean loadable(String name, ClassLoader loader) {
        try {
            Class.forName(name, false, loader);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
