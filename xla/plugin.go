package xla

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gomlx/gopjrt/pjrt"
)

// ErrNoPlugin is wrapped by the error of every call that needs a PJRT plugin
// and finds none. Its message says how to install one.
var ErrNoPlugin = errors.New("xla: no PJRT plugin found")

// EnvPluginPath is the environment variable that lists where PJRT plugins
// are (gopjrt's convention): directories or plugin files, ':'-separated.
const EnvPluginPath = "PJRT_PLUGIN_LIBRARY_PATH"

// InstallHint says how to get a PJRT plugin; it ends every ErrNoPlugin error.
const InstallHint = "install one with gopjrt's installer (`go run github.com/gomlx/gopjrt/cmd/gopjrt_installer@latest`: " +
	"CPU, CUDA or TPU plugins into /usr/local/lib/gomlx/pjrt; it needs the web), " +
	"or use the plugin of a JAX installation (`pip install \"jax[cuda12]\"`, then pass " +
	"--pjrt-plugin <venv>/lib/python3.*/site-packages/jax_plugins/xla_cuda12/xla_cuda_plugin.so " +
	"or set " + EnvPluginPath + " to that directory)"

// pluginPatterns are the file names of PJRT plugins: gopjrt's three and
// JAX's (jax_plugins/xla_cuda12/xla_cuda_plugin.so).
var pluginPatterns = []string{
	"pjrt_c_api_*_plugin.so", "pjrt-plugin-*.so", "pjrt_plugin_*.so", "xla_*_plugin.so",
	"pjrt_c_api_*_plugin.dylib", "pjrt-plugin-*.dylib", "pjrt_plugin_*.dylib",
}

// FindPlugin returns the plugin that Open would load, without loading it:
//
//   - explicit, when given: a path to a plugin's shared library (anything
//     with a '/' or ending in .so/.dylib; it must exist) or a plugin name that
//     gopjrt resolves ("cpu", "cuda");
//   - otherwise the first plugin in the entries of PJRT_PLUGIN_LIBRARY_PATH
//     (directories are searched for plugin file names, in order; files are
//     taken as they are);
//   - otherwise, when PJRT_PLUGIN_LIBRARY_PATH is unset, the plugins gopjrt
//     finds in its default directories (~/.local/lib/gomlx/pjrt,
//     /usr/local/lib/gomlx/pjrt, LD_LIBRARY_PATH, ld.so.conf), accelerators
//     before the CPU.
//
// When there is none the error wraps ErrNoPlugin and says how to install one.
func FindPlugin(explicit string) (string, error) {
	if explicit != "" {
		if !isPath(explicit) {
			return explicit, nil
		}
		abs, err := filepath.Abs(explicit)
		if err != nil {
			return "", fmt.Errorf("%w: %s: %v; %s", ErrNoPlugin, explicit, err, InstallHint)
		}
		fi, err := os.Stat(abs)
		if err != nil {
			return "", fmt.Errorf("%w: %s does not exist; %s", ErrNoPlugin, explicit, InstallHint)
		}
		if fi.IsDir() {
			if p := searchDir(abs); p != "" {
				return p, nil
			}
			return "", fmt.Errorf("%w: no plugin file (%s) in directory %s; %s",
				ErrNoPlugin, strings.Join(pluginPatterns[:4], ", "), explicit, InstallHint)
		}
		return abs, nil
	}
	env, set := os.LookupEnv(EnvPluginPath)
	if set && strings.Trim(env, ":") != "" {
		for _, entry := range strings.Split(env, ":") {
			if entry == "" {
				continue
			}
			abs, err := filepath.Abs(entry)
			if err != nil {
				continue
			}
			fi, err := os.Stat(abs)
			switch {
			case err != nil:
				continue
			case fi.IsDir():
				if p := searchDir(abs); p != "" {
					return p, nil
				}
			default:
				return abs, nil
			}
		}
		return "", fmt.Errorf("%w in %s=%q; %s", ErrNoPlugin, EnvPluginPath, env, InstallHint)
	}
	found := pjrt.AvailablePlugins()
	if len(found) == 0 {
		return "", fmt.Errorf("%w (%s is unset and gopjrt's default directories ~/.local/lib/gomlx/pjrt, "+
			"/usr/local/lib/gomlx/pjrt and the library path hold none); %s", ErrNoPlugin, EnvPluginPath, InstallHint)
	}
	names := make([]string, 0, len(found))
	for name := range found {
		names = append(names, name)
	}
	slices.SortFunc(names, func(a, b string) int {
		if (a == "cpu") != (b == "cpu") {
			if a == "cpu" {
				return 1
			}
			return -1
		}
		return strings.Compare(a, b)
	})
	return found[names[0]], nil
}

func isPath(s string) bool {
	return strings.ContainsRune(s, os.PathSeparator) || strings.HasSuffix(s, ".so") || strings.HasSuffix(s, ".dylib")
}

// searchDir returns the first plugin file in dir (by pattern, then name), or "".
func searchDir(dir string) string {
	for _, pat := range pluginPatterns {
		m, err := filepath.Glob(filepath.Join(dir, pat))
		if err != nil || len(m) == 0 {
			continue
		}
		slices.Sort(m)
		for _, p := range m {
			if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
				return p
			}
		}
	}
	return ""
}
