// electron-builder's beforeBuild hook. Resolving to false tells it that node_modules are handled
// outside electron-builder: scripts/build.mjs has already bundled every runtime dependency into
// dist/, so none is copied into app.asar and nothing is rebuilt or downloaded for native modules.
module.exports = async () => false;
