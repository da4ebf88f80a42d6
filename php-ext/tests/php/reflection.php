<?php
// Reports every function of the extension with its parameter names, for the stubs check.
require __DIR__ . '/event.inc.php';

$functions = [];
foreach (get_extension_funcs('ml_connector') as $name) {
    $functions[$name] = array_map(fn ($p) => '$' . $p->getName(), (new ReflectionFunction($name))->getParameters());
}
report(['functions' => $functions]);
