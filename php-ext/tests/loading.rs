//! The extension as PHP loads it: directives, phpinfo(), reflection, how the .so is linked, and
//! php-fpm where it is installed.

mod common;

use std::process::Command;

use common::{extension, run, Site};

const FUNCTIONS: [&str; 8] = [
    "ml_connector_enqueue",
    "ml_connector_last_error",
    "ml_connector_encrypt",
    "ml_connector_put_setting",
    "ml_connector_status",
    "ml_connector_agent_status",
    "ml_connector_order_sync",
    "ml_connector_wake",
];

fn php_with_extension() -> Command {
    let mut command = Command::new("php");
    command
        .arg("-n")
        .arg("-d")
        .arg(format!("extension={}", extension().display()));
    command
}

#[test]
fn directives_have_the_documented_defaults_and_scripts_cannot_change_them() {
    let mut command = php_with_extension();
    command.arg(common::script("directives.php"));
    let run = run(&mut command);
    run.assert_clean();
    let report = run.report();
    assert_eq!(
        report["values"],
        serde_json::json!({
            "spool_path": "/var/lib/ml-connector/spool/spool.db",
            "key_path": "/etc/ml-connector/vault.key",
            "wake_socket": "/run/ml-connector/agent.sock",
            "busy_timeout_ms": "250",
            "durability": "full",
        })
    );
    assert_eq!(
        report["ini_set"], false,
        "PHP_INI_SYSTEM directives must not change at run time"
    );
}

#[test]
fn refused_directive_values_are_logged_and_the_defaults_stay() {
    let site = Site::new()
        .with_ini("ml_connector.durability", "fast")
        .with_ini("ml_connector.busy_timeout_ms", "forever")
        .with_ini("ml_connector.key_path", "relative/vault.key");
    let run = run(&mut site.php("directives.php", &[]));
    run.assert_clean();
    let values = &run.report()["values"];
    assert_eq!(
        (values["durability"].as_str(), values["busy_timeout_ms"].as_str()),
        (Some("full"), Some("250"))
    );
    assert_eq!(values["key_path"], "/etc/ml-connector/vault.key");
    for line in [
        r#"ml_connector: php.ini ml_connector.durability = "fast" ignored (expected `full` or `normal`)"#,
        r#"ml_connector: php.ini ml_connector.busy_timeout_ms = "forever" ignored (expected milliseconds"#,
        r#"ml_connector: php.ini ml_connector.key_path = "relative/vault.key" ignored (expected an absolute path)"#,
    ] {
        assert!(run.stderr.contains(line), "{line}\n{run}");
    }
}

#[test]
fn phpinfo_shows_the_section_with_paths_and_checks_but_no_key_material() {
    let site = Site::new();
    let keyring = ml_connector_formats::Keyring::create(&site.key_path()).unwrap();
    let key_file = std::fs::read_to_string(site.key_path()).unwrap();
    let material = key_file.lines().last().unwrap().split_whitespace().nth(2).unwrap();
    let run = run(&mut site.phpinfo());
    run.assert_clean();
    let section = run
        .stdout
        .split("\nml_connector\n")
        .nth(1)
        .unwrap_or_else(|| panic!("no section:\n{run}"));
    for line in [
        "ml_connector support => enabled".to_string(),
        format!("Version => {}", env!("CARGO_PKG_VERSION")),
        format!("Spool => {}", site.spool_path().display()),
        "Spool writable => yes (not created yet: the first event creates it)".to_string(),
        format!("Vault key readable => yes (active key id {})", keyring.active_key_id()),
        "Agent listening => no (agent down: events wait in the spool)".to_string(),
        format!("ml_connector.spool_path => {0} => {0}", site.spool_path().display()),
        "ml_connector.durability => full => full".to_string(),
    ] {
        assert!(section.contains(&line), "{line}\n{section}");
    }
    assert!(!run.stdout.contains(material), "key material in phpinfo()");
    assert!(!site.spool_path().exists(), "phpinfo() must not create the spool");
}

#[test]
fn reflection_lists_every_function() {
    let mut command = php_with_extension();
    command.args(["--re", "ml_connector"]);
    let run = run(&mut command);
    run.assert_clean();
    for function in FUNCTIONS {
        assert!(
            run.stdout.contains(&format!("function {function} ]")),
            "{function} missing:\n{run}"
        );
    }
}

#[test]
fn stubs_declare_every_function_with_its_parameters() {
    let mut command = php_with_extension();
    command.arg(common::script("reflection.php"));
    let run = run(&mut command);
    run.assert_clean();
    let stubs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/stubs/ml_connector.stub.php")).unwrap();
    let functions = run.report()["functions"].as_object().unwrap().clone();
    assert_eq!(functions.len(), FUNCTIONS.len(), "{functions:?}");
    for (name, parameters) in functions {
        let declaration = stubs
            .lines()
            .find(|line| line.starts_with(&format!("function {name}(")))
            .unwrap_or_else(|| panic!("{name} has no stub"));
        for parameter in parameters.as_array().unwrap() {
            assert!(
                declaration.contains(parameter.as_str().unwrap()),
                "{declaration} lacks {parameter}"
            );
        }
    }
}

#[test]
fn shared_object_does_not_link_libphp() {
    let output = Command::new("ldd").arg(extension()).output().unwrap();
    let libraries = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{libraries}");
    assert!(
        !libraries.contains("libphp"),
        "the embed feature leaked into the extension:\n{libraries}"
    );
}

#[test]
fn loads_under_php_fpm_when_installed() {
    let Some(fpm) = ["php-fpm8.2", "/usr/sbin/php-fpm8.2"].into_iter().find(|binary| {
        Command::new(binary)
            .arg("-v")
            .output()
            .is_ok_and(|out| out.status.success())
    }) else {
        println!("NOTICE: php-fpm8.2 is not installed; the FPM load check was skipped");
        return;
    };
    let output = Command::new(fpm)
        .args(["-n", "-d", &format!("extension={}", extension().display()), "-m"])
        .output()
        .unwrap();
    let modules = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{modules}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(modules.lines().any(|line| line.trim() == "ml_connector"), "{modules}");
}
