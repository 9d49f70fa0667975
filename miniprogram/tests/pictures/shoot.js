/**
 * Run browser.js on a list of picture jobs, in its own Node process (browser.js says why), and
 * resolve to its findings: `{png: [finding, ...]}`. `name` names the jobs file in `out`.
 */
const fs = require('fs')
const path = require('path')
const { execFile } = require('child_process')

function shoot(jobs, out, name) {
  const jobFile = path.join(out, `${name}-jobs.json`)
  fs.writeFileSync(jobFile, JSON.stringify(jobs))
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [path.join(__dirname, 'browser.js'), jobFile],
      { maxBuffer: 16 << 20 },
      (err, stdout, stderr) =>
        err
          ? reject(new Error(`the browser failed: ${stderr || err.message}`))
          : resolve(JSON.parse(stdout).findings)
    )
  })
}

module.exports = { shoot }
