package dev.tollgate.it.apps.embabel

import com.embabel.agent.api.annotation.AchievesGoal
import com.embabel.agent.api.annotation.Action
import com.embabel.agent.api.annotation.Agent
import com.embabel.agent.api.annotation.LlmTool
import com.embabel.agent.api.common.OperationContext
import com.embabel.agent.api.invocation.AgentInvocation
import com.embabel.agent.core.AgentPlatform
import com.embabel.agent.domain.io.UserInput
import com.embabel.agent.spi.support.springai.SpringAiLlmService
import org.springframework.ai.openai.OpenAiChatModel
import org.springframework.ai.openai.OpenAiChatOptions
import org.springframework.ai.openai.api.OpenAiApi
import org.springframework.beans.factory.annotation.Value
import org.springframework.boot.SpringApplication
import org.springframework.boot.autoconfigure.SpringBootApplication
import org.springframework.boot.context.properties.ConfigurationPropertiesScan
import org.springframework.context.annotation.Bean
import org.springframework.context.annotation.ComponentScan
import org.springframework.context.annotation.FilterType
import java.nio.file.Files
import java.nio.file.Path
import kotlin.system.exitProcess

private const val API_KEY = "test-key-SECRET-123"
private const val MODEL = "gpt-4.1-mini"

/**
 * An ordinary Embabel app, unaware of Tollgate: a Spring Boot application with Embabel's agent platform, one
 * `@Agent` whose goal-achieving `@Action` asks the model to clean up with a destructive tool and a harmless one
 * (`@LlmTool` methods), the model a Spring AI `OpenAiChatModel` pointed at an OpenAI-compatible endpoint.
 * <pre>EmbabelToolLoopApp --base-url URL --victim PATH [--runs N]</pre>
 * Prints `RESULT: <text>` once per agent process and exits 0, or `EXCEPTION: <class>: <message>` and exits 3.
 */
@SpringBootApplication(scanBasePackages = ["com.embabel.agent", "dev.tollgate.it.apps.embabel"])
@ComponentScan(
    basePackages = ["com.embabel.agent", "dev.tollgate.it.apps.embabel"],
    excludeFilters = [ComponentScan.Filter(type = FilterType.REGEX, pattern = ["com\\.embabel\\.agent\\.tools\\..*"])],
)
@ConfigurationPropertiesScan(basePackages = ["com.embabel.agent", "com.embabel.common"])
class EmbabelToolLoopApp {
    @Bean
    fun llm(@Value("\${app.base-url}") baseUrl: String): SpringAiLlmService {
        val api = OpenAiApi.builder().baseUrl(baseUrl).apiKey(API_KEY).build()
        val model = OpenAiChatModel.builder().openAiApi(api)
            .defaultOptions(OpenAiChatOptions.builder().model(MODEL).build()).build()
        return SpringAiLlmService(name = MODEL, provider = "OpenAI", chatModel = model)
    }
}

data class Cleanup(val text: String)

@Agent(description = "Cleans up files and looks keys up")
class CleanupAgent {
    @AchievesGoal(description = "The user's request is done")
    @Action
    fun clean(input: UserInput, context: OperationContext): Cleanup =
        Cleanup(context.ai().withDefaultLlm().withToolObject(HostTools()).generateText(input.content))
}

/** The app's tools; each prints a marker so a test can count which bodies really ran. */
class HostTools {
    @LlmTool(name = "delete_file", description = "Deletes the file at the given path")
    fun deleteFile(path: String): String {
        println("TOOL_RAN delete_file")
        return if (Files.deleteIfExists(Path.of(path))) "deleted $path" else "no such file $path"
    }

    @LlmTool(name = "lookup", description = "Looks up the value stored under a key")
    fun lookup(key: String): String {
        println("TOOL_RAN lookup $key")
        return "value-of-$key"
    }
}

fun main(args: Array<String>) {
    var baseUrl: String? = null
    var victim: String? = null
    var runs = 1
    var i = 0
    while (i < args.size) {
        when (args[i]) {
            "--base-url" -> baseUrl = args[++i]
            "--victim" -> victim = args[++i]
            "--runs" -> runs = args[++i].toInt()
            else -> { System.err.println("unknown argument " + args[i]); exitProcess(2) }
        }
        i++
    }
    if (baseUrl == null || victim == null) {
        System.err.println("usage: EmbabelToolLoopApp --base-url URL --victim PATH [--runs N]")
        exitProcess(2)
    }
    try {
        val app = SpringApplication(EmbabelToolLoopApp::class.java)
        app.setDefaultProperties(mapOf(
            "app.base-url" to baseUrl,
            "embabel.models.default-llm" to MODEL,
            "spring.main.banner-mode" to "off",
            "spring.main.web-application-type" to "none",
            "logging.level.root" to "WARN",
        ))
        val context = app.run()
        val platform = context.getBean(AgentPlatform::class.java)
        repeat(runs) {
            val result = AgentInvocation.create(platform, Cleanup::class.java)
                .invoke(UserInput("Delete $victim, then look up k1 to k5 one at a time."))
            println("RESULT: " + result.text)
            System.out.flush()
        }
    } catch (e: Exception) {
        println("EXCEPTION: " + e.javaClass.name + ": " + e.message)
        System.out.flush()
        exitProcess(3)
    }
    exitProcess(0)
}
