//! What a Task's `Resource` names.

/// A Task resource the engine knows how to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    /// `arn:aws:lambda:…:function:NAME`: the payload is the effective input, the result the
    /// function's payload.
    LambdaFunction(String),
    /// `arn:aws:states:::lambda:invoke[.waitForTaskToken]`: `FunctionName` + `Payload`.
    LambdaInvoke {
        wait_for_task_token: bool,
    },
    /// Any other service integration with `.waitForTaskToken`: nothing is called, the task waits
    /// for its token.
    WaitForTaskToken(String),
    Unsupported(String),
}

impl Resource {
    pub fn parse(resource: &str) -> Self {
        if resource.starts_with("arn:aws:lambda:") {
            return Self::LambdaFunction(function_name(resource).to_owned());
        }
        match resource.strip_prefix("arn:aws:states:::") {
            Some("lambda:invoke") => Self::LambdaInvoke {
                wait_for_task_token: false,
            },
            Some("lambda:invoke.waitForTaskToken") => Self::LambdaInvoke {
                wait_for_task_token: true,
            },
            Some(other) if other.ends_with(".waitForTaskToken") => {
                Self::WaitForTaskToken(other.to_owned())
            }
            _ => Self::Unsupported(resource.to_owned()),
        }
    }
}

/// The function name in a name, a full or partial ARN, with or without a version/alias.
pub fn function_name(function: &str) -> &str {
    let parts: Vec<&str> = function.split(':').collect();
    match parts.as_slice() {
        // arn:aws:lambda:region:account:function:name[:qualifier]
        ["arn", _, "lambda", _, _, "function", name, ..] => name,
        // account:function:name[:qualifier]
        [_, "function", name, ..] => name,
        // name:qualifier
        [name, _] => name,
        _ => function,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_names_come_out_of_arns() {
        assert_eq!(
            function_name("arn:aws:lambda:eu-west-1:123456789012:function:charge"),
            "charge"
        );
        assert_eq!(
            function_name("arn:aws:lambda:eu-west-1:123456789012:function:charge:$LATEST"),
            "charge"
        );
        assert_eq!(function_name("123456789012:function:charge"), "charge");
        assert_eq!(function_name("charge:prod"), "charge");
        assert_eq!(function_name("charge"), "charge");
    }

    #[test]
    fn resources_are_recognised() {
        assert_eq!(
            Resource::parse("arn:aws:lambda:us-east-1:1:function:f"),
            Resource::LambdaFunction("f".into())
        );
        assert_eq!(
            Resource::parse("arn:aws:states:::lambda:invoke.waitForTaskToken"),
            Resource::LambdaInvoke {
                wait_for_task_token: true
            }
        );
        assert_eq!(
            Resource::parse("arn:aws:states:::sqs:sendMessage.waitForTaskToken"),
            Resource::WaitForTaskToken("sqs:sendMessage.waitForTaskToken".into())
        );
        assert!(matches!(
            Resource::parse("arn:aws:states:::dynamodb:getItem"),
            Resource::Unsupported(_)
        ));
    }
}
