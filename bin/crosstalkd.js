#!/usr/bin/env node
import '../dist/crosstalkd.js';
