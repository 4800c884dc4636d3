//! `strata create`: a new chart laid out like charts/api — environments
//! dev/staging/prod, a values schema, helpers — that renders cleanly.

use strata_chart::Error;

/// The scaffold's files, `__NAME__` standing for the chart's name.
const FILES: &[(&str, &str)] = &[
    ("Chart.yaml", include_str!("../scaffold/Chart.yaml")),
    ("values.yaml", include_str!("../scaffold/values.yaml")),
    (
        "values.schema.json",
        include_str!("../scaffold/values.schema.json"),
    ),
    (
        "environments.yaml",
        include_str!("../scaffold/environments.yaml"),
    ),
    (
        "environments/dev.yaml",
        include_str!("../scaffold/environments/dev.yaml"),
    ),
    (
        "environments/staging.yaml",
        include_str!("../scaffold/environments/staging.yaml"),
    ),
    (
        "environments/prod.yaml",
        include_str!("../scaffold/environments/prod.yaml"),
    ),
    (".helmignore", include_str!("../scaffold/helmignore")),
    (
        "templates/_helpers.tpl",
        include_str!("../scaffold/templates/_helpers.tpl"),
    ),
    (
        "templates/deployment.yaml",
        include_str!("../scaffold/templates/deployment.yaml"),
    ),
    (
        "templates/service.yaml",
        include_str!("../scaffold/templates/service.yaml"),
    ),
    (
        "templates/NOTES.txt",
        include_str!("../scaffold/templates/NOTES.txt"),
    ),
];

/// Whether `name` is a chart name `create` accepts: lowercase letters,
/// digits and inner dashes, at most 53 characters (so that
/// `<release>-<name>` resource names stay short), starting with a letter.
pub(crate) fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 53
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The files of a new chart named `name`, by chart-relative path.
pub fn scaffold(name: &str) -> Result<Vec<(String, String)>, Error> {
    if !valid_name(name) {
        return Err(Error::Usage(format!(
            "{name:?} is not a valid chart name: use lowercase letters, digits and dashes, starting with a letter (at most 53 characters)"
        )));
    }
    Ok(FILES
        .iter()
        .map(|(path, text)| (path.to_string(), text.replace("__NAME__", name)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Engine, RenderOptions};
    use strata_chart::chart::Chart;
    use strata_chart::values::{merge, Request};

    #[test]
    fn names() {
        assert!(valid_name("web"));
        assert!(valid_name("web-2"));
        assert!(!valid_name("Web"));
        assert!(!valid_name("2web"));
        assert!(!valid_name("web-"));
        assert!(!valid_name("we_b"));
        assert!(!valid_name(""));
        assert!(scaffold("../x").is_err());
    }

    #[test]
    fn the_scaffold_renders_in_every_environment() {
        let files = scaffold("shop")
            .unwrap()
            .into_iter()
            .map(|(p, t)| (p, t.into_bytes()))
            .collect();
        let chart = Chart::from_files(files, "shop").unwrap();
        let engine = Engine::new(&chart).unwrap();
        let names = chart.environments.ordered_names();
        assert_eq!(names, ["dev", "staging", "prod"]);
        for env in names {
            let req = Request {
                env: Some(env.clone()),
                ..Request::default()
            };
            let merged = merge(&chart, &req).unwrap();
            assert!(merged.warnings.is_empty());
            let e = chart.environments.get(&env).unwrap();
            let opts = RenderOptions {
                notes: true,
                ..RenderOptions::default()
            };
            let out = engine.render(Some(e), &merged.values, &opts).unwrap();
            let kinds: Vec<&str> = out.documents.iter().map(|d| d.kind.as_str()).collect();
            assert_eq!(kinds, ["Service", "Deployment"]);
            assert!(out.documents[1]
                .body
                .contains(&format!("namespace: shop-{env}\n")));
            assert!(out.notes.unwrap().contains(&format!("environment {env}")));
        }
    }
}
