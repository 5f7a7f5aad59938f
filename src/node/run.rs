//! Running a module's computation inside its node's hooks.

use std::sync::Arc;

use candle_core::Tensor;

use super::backward::BackwardCall;
use super::hook_fn::{ForwardHookInputs, ForwardPreHookInputs};
use super::lists::Entry;
use super::Node;

impl Node {
    /// Runs `f` (the module's own computation) on one input wrapped in this node's hooks.
    pub(crate) fn run(
        self: &Arc<Self>,
        x: &Tensor,
        f: impl FnOnce(&Tensor) -> candle_core::Result<Tensor>,
    ) -> candle_core::Result<Tensor> {
        if self.hooks.len() == 0 {
            return f(x);
        }
        self.run_many(std::slice::from_ref(x), |xs| match xs.first() {
            Some(x) => f(x),
            None => Err(candle_core::Error::Msg(
                "a forward pre-hook removed the input".into(),
            )),
        })
    }

    /// Runs `f` on several inputs wrapped in this node's hooks. A node without hooks runs `f`
    /// and nothing else, at plain candle speed. Otherwise, in PyTorch's order:
    ///
    /// 1. the forward pre-hooks, which may replace the inputs;
    /// 2. with backward hooks, the input probe: the inputs whose gradients the backward hooks
    ///    see go through one [`super::Probe`];
    /// 3. `f`, the module's own computation;
    /// 4. the forward hooks, which may replace the output (`always_call` ones run after a
    ///    failure too);
    /// 5. with backward hooks, the output probe, which runs the backward pre-hooks during
    ///    `backward()` and hands the gradient to the input probe for the backward hooks.
    pub(crate) fn run_many(
        self: &Arc<Self>,
        xs: &[Tensor],
        f: impl FnOnce(&[Tensor]) -> candle_core::Result<Tensor>,
    ) -> candle_core::Result<Tensor> {
        if self.hooks.len() == 0 {
            return f(xs);
        }
        let inputs = self.forward_pre_hooks(xs.to_vec())?;
        let mut backward = BackwardCall::new(self, inputs.len());
        let fed = match backward.as_mut() {
            Some(call) => call.probe_inputs(&inputs)?,
            None => inputs.clone(),
        };
        // Taken before `f` runs: a hook registered by a child's hook applies to the next call.
        let forward_hooks = self.hooks.snapshot::<ForwardHookInputs>();
        let output = self.forward_hooks(&forward_hooks, &inputs, f(&fed))?;
        match backward {
            Some(call) => call.probe_output(output),
            None => Ok(output),
        }
    }

    /// Step 1: each forward pre-hook in turn may replace the inputs (with as many tensors).
    fn forward_pre_hooks(&self, mut inputs: Vec<Tensor>) -> candle_core::Result<Vec<Tensor>> {
        for entry in self.hooks.snapshot::<ForwardPreHookInputs>() {
            let Some(new) = (entry.hook)(self, &inputs)? else {
                continue;
            };
            if new.len() != inputs.len() {
                return Err(crate::Error::Events(tfevents::Error::LengthMismatch {
                    what: format!(
                        "the inputs a forward pre-hook of `{}` returned",
                        self.name()
                    ),
                    got: new.len(),
                    expected: inputs.len(),
                    per: "input of the call (or None to keep them)",
                })
                .into());
            }
            inputs = new;
        }
        Ok(inputs)
    }

    /// Step 4: each forward hook in turn may replace `computed`, the computation's output.
    /// After a failure (of the computation or of a hook), the `always_call` hooks not run yet
    /// run with no output, and the first error comes out.
    fn forward_hooks(
        &self,
        hooks: &[Entry<ForwardHookInputs>],
        inputs: &[Tensor],
        computed: candle_core::Result<Tensor>,
    ) -> candle_core::Result<Tensor> {
        let mut output = match computed {
            Ok(output) => output,
            Err(e) => {
                self.always_call(hooks, inputs);
                return Err(e);
            }
        };
        for (i, entry) in hooks.iter().enumerate() {
            match (entry.hook)(self, inputs, Some(&output)) {
                Ok(Some(new)) => output = new,
                Ok(None) => {}
                Err(e) => {
                    self.always_call(hooks.get(i + 1..).unwrap_or_default(), inputs);
                    return Err(e.into());
                }
            }
        }
        Ok(output)
    }

    /// Runs the `always_call` hooks of `hooks` with no output; their errors are dropped so
    /// that the first error is the one reported.
    fn always_call(&self, hooks: &[Entry<ForwardHookInputs>], inputs: &[Tensor]) {
        for entry in hooks.iter().filter(|e| e.always_call) {
            let _ = (entry.hook)(self, inputs, None);
        }
    }
}
