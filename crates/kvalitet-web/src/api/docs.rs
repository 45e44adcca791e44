//! `/api/v1/dokumentation`: the API's reference as a page of our own, rendered on the
//! server from the same OpenAPI description (nothing fetched from elsewhere, no script):
//! each operation by resource with its parameters, body and answers, then the shapes.

use askama::Template;
use askama_web::WebTemplate;
use serde_json::Value;

use crate::auth::{Nav, User};

pub struct Param {
    pub name: String,
    pub place: &'static str,
    pub required: bool,
    pub kind: String,
    pub description: String,
}

pub struct Operation {
    pub method: String,
    pub path: String,
    pub anchor: String,
    pub summary: String,
    pub params: Vec<Param>,
    pub body: String,
    pub responses: Vec<(String, String, String)>,
}

pub struct Group {
    pub name: String,
    pub description: String,
    pub operations: Vec<Operation>,
}

pub struct Field {
    pub name: String,
    pub kind: String,
    pub required: bool,
    pub description: String,
}

pub struct Shape {
    pub name: String,
    pub description: String,
    pub fields: Vec<Field>,
}

#[derive(Template, WebTemplate)]
#[template(path = "api_docs.html")]
pub struct DocsPage {
    pub nav: Nav,
    pub intro: String,
    pub groups: Vec<Group>,
    pub shapes: Vec<Shape>,
}

/// A text of the description, its Markdown code marks left out.
fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or_default().replace('`', "")
}

/// A schema in words: a shape's name, a type with its format, the values of a code.
fn kind(schema: &Value) -> String {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        return r.rsplit('/').next().unwrap_or(r).to_owned();
    }
    if let Some(all) = schema.get("oneOf").or_else(|| schema.get("allOf")).and_then(Value::as_array) {
        return all.iter().map(kind).filter(|k| k != "null").collect::<Vec<_>>().join(" eller ");
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    let mut out: Vec<String> = types
        .iter()
        .filter(|t| **t != "null")
        .map(|t| match *t {
            "array" => format!("lista av {}", schema.get("items").map(kind).unwrap_or_default()),
            "string" => match schema.get("format").and_then(Value::as_str) {
                Some("date") => "datum (ÅÅÅÅ-MM-DD)".to_owned(),
                _ => "text".to_owned(),
            },
            "integer" => "heltal".to_owned(),
            "number" => "tal".to_owned(),
            "boolean" => "true/false".to_owned(),
            "object" => "objekt".to_owned(),
            other => other.to_owned(),
        })
        .collect();
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let codes: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
        out = vec![format!("en av {}", codes.join(", "))];
    }
    if out.is_empty() {
        out.push("valfritt".to_owned());
    }
    let mut k = out.join(" eller ");
    if types.contains(&"null") {
        k.push_str(" eller null");
    }
    k
}

fn describe(doc: &Value) -> (Vec<Group>, Vec<Shape>) {
    let tags = doc.get("tags").and_then(Value::as_array).cloned().unwrap_or_default();
    let mut groups: Vec<Group> = tags
        .iter()
        .map(|t| Group { name: text(t, "name"), description: text(t, "description"), operations: vec![] })
        .collect();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            for method in ["get", "post", "put", "delete"] {
                let Some(op) = item.get(method) else { continue };
                let params = op
                    .get("parameters")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(|p| Param {
                        name: text(p, "name"),
                        place: match p.get("in").and_then(Value::as_str) {
                            Some("path") => "sökväg",
                            Some("query") => "fråga",
                            _ => "huvud",
                        },
                        required: p.get("required").and_then(Value::as_bool).unwrap_or(false),
                        kind: p.get("schema").map(kind).unwrap_or_default(),
                        description: text(p, "description"),
                    })
                    .collect();
                let body = op.pointer("/requestBody/content/application~1json/schema").map(kind).unwrap_or_default();
                let responses = op
                    .get("responses")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                    .map(|(status, r)| {
                        let shape = r
                            .get("content")
                            .and_then(Value::as_object)
                            .and_then(|c| c.values().next())
                            .and_then(|m| m.get("schema"))
                            .map(kind)
                            .unwrap_or_default();
                        (status.clone(), text(r, "description"), shape)
                    })
                    .collect();
                let summary = [text(op, "summary"), text(op, "description")]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ");
                let operation = Operation {
                    method: method.to_uppercase(),
                    anchor: format!("{method}{}", path.replace(['/', '{', '}'], "-")),
                    path: path.clone(),
                    summary,
                    params,
                    body,
                    responses,
                };
                let tag = op.pointer("/tags/0").and_then(Value::as_str).unwrap_or_default();
                match groups.iter_mut().find(|g| g.name == tag) {
                    Some(g) => g.operations.push(operation),
                    None => groups.push(Group {
                        name: tag.to_owned(),
                        description: String::new(),
                        operations: vec![operation],
                    }),
                }
            }
        }
    }
    let shapes = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(name, s)| {
            let required: Vec<&str> =
                s.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
            let fields = s
                .get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(f, p)| Field {
                    name: f.clone(),
                    kind: kind(p),
                    required: required.contains(&f.as_str()),
                    description: text(p, "description"),
                })
                .collect();
            Shape { name: name.clone(), description: text(s, "description"), fields }
        })
        .collect();
    (groups, shapes)
}

/// `GET /api/v1/dokumentation`, for anyone (it describes, it holds no data).
pub async fn page(user: Option<User>) -> DocsPage {
    let doc = serde_json::to_value(super::openapi()).unwrap_or_default();
    let (groups, shapes) = describe(&doc);
    DocsPage {
        nav: user.map(|u| u.nav()).unwrap_or_default(),
        intro: doc.pointer("/info/description").and_then(Value::as_str).unwrap_or_default().to_owned(),
        groups,
        shapes,
    }
}
