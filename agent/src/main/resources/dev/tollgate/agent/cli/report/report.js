// Draws the report's charts as SVG from the JSON in #report-data. Every name in the data came from a log a model
// may have written to, so text reaches the page only through textContent and attributes carry only numbers and
// constants: nothing in the data is ever parsed as markup.
(function () {
  'use strict';
  var NS = 'http://www.w3.org/2000/svg';
  var W = 640, H = 260, M = {top: 16, right: 40, bottom: 34, left: 62};
  var COLORS = ['#2563eb', '#d97706', '#059669', '#7c3aed', '#db2777', '#0891b2', '#65a30d', '#dc2626'];
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var drawn = [];

  function svgEl(name, attrs, parent, text) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) {
      if (Object.prototype.hasOwnProperty.call(attrs, k)) {
        e.setAttribute(k, String(attrs[k]));
      }
    }
    if (text !== undefined) {
      e.textContent = text;
    }
    if (parent) {
      parent.appendChild(e);
    }
    return e;
  }

  function usd(v) {
    if (v === 0) return '$0';
    if (Math.abs(v) < 0.01) return '$' + v.toPrecision(2);
    if (Math.abs(v) >= 1000) return '$' + Math.round(v).toLocaleString('en-US');
    return '$' + v.toFixed(2);
  }

  function count(v) {
    return Math.round(v).toLocaleString('en-US');
  }

  function pad(n) {
    return (n < 10 ? '0' : '') + n;
  }

  function when(seconds, bucket) {
    var d = new Date(seconds * 1000);
    var day = d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1) + '-' + pad(d.getUTCDate());
    return bucket >= 86400 ? day : day.substring(5) + ' ' + pad(d.getUTCHours()) + ':00';
  }

  function ticks(max, n, whole) {
    if (!(max > 0)) max = 1;
    var raw = max / n, mag = Math.pow(10, Math.floor(Math.log(raw) / Math.LN10)), r = raw / mag;
    var step = (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * mag, out = [];
    if (whole) step = Math.max(1, step); // counts: no 0.5 of a refusal
    for (var v = 0; v < max + step * 0.999; v += step) out.push(v);
    return out;
  }

  function empty(figure, message) {
    var p = document.createElement('p');
    p.className = 'empty';
    p.textContent = message;
    figure.querySelector('.plot').appendChild(p);
  }

  /** A frame with a value axis; x maps a time (epoch seconds) or an index into the plot. */
  function frame(figure, maxY, format, t0, t1, bucket) {
    var svg = svgEl('svg', {viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'class': 'chart-svg'});
    figure.querySelector('.plot').appendChild(svg);
    var ys = ticks(maxY, 4, format === count), top = ys[ys.length - 1];
    var pw = W - M.left - M.right, ph = H - M.top - M.bottom;
    var y = function (v) { return M.top + ph - (v / top) * ph; };
    var span = Math.max(t1 + bucket - t0, 1);
    var x = function (t) { return M.left + ((t - t0) / span) * pw; };
    ys.forEach(function (v) {
      svgEl('line', {x1: M.left, x2: W - M.right, y1: y(v), y2: y(v), 'class': 'grid'}, svg);
      svgEl('text', {x: M.left - 8, y: y(v) + 4, 'text-anchor': 'end', 'class': 'axis'}, svg, format(v));
    });
    // at most five labels, on bucket boundaries, none closer than a label's width
    var n = Math.min(5, Math.max(1, Math.floor(span / bucket)));
    var every = Math.ceil(span / bucket / n) * bucket;
    for (var t = t0; t <= t0 + span; t += every) {
      svgEl('line', {x1: x(t), x2: x(t), y1: y(0), y2: y(0) + 4, 'class': 'baseline'}, svg);
      svgEl('text', {x: x(t), y: H - 12, 'text-anchor': 'middle', 'class': 'axis'}, svg, when(t, bucket));
    }
    svgEl('line', {x1: M.left, x2: W - M.right, y1: y(0), y2: y(0), 'class': 'baseline'}, svg);
    return {svg: svg, x: x, y: y, barWidth: Math.max(1, (bucket / span) * pw - 1)};
  }

  function mark(figure, n) {
    figure.setAttribute('data-drawn', String(n));
    drawn.push(figure.getAttribute('data-chart'));
  }

  function timeBars(figure, points, index, color, format, label) {
    var max = 0;
    points.forEach(function (p) { max = Math.max(max, p[index]); });
    if (points.length === 0 || max === 0) {
      empty(figure, 'No ' + label + ' in this log.');
      mark(figure, 0);
      return;
    }
    var f = frame(figure, max, format, points[0][0], points[points.length - 1][0], data.bucket);
    var n = 0;
    points.forEach(function (p) {
      if (p[index] <= 0) return;
      var r = svgEl('rect', {x: f.x(p[0]), y: f.y(p[index]), width: f.barWidth, height: f.y(0) - f.y(p[index]),
        fill: color, rx: Math.min(2, f.barWidth / 2)}, f.svg);
      svgEl('title', {}, r, when(p[0], data.bucket) + ': ' + format(p[index]) + ' ' + label);
      n++;
    });
    mark(figure, n);
  }

  /** The spend points with every empty bucket between them as zero (no calls, nothing spent), when few enough. */
  function filled(points) {
    if (points.length < 2 || (points[points.length - 1][0] - points[0][0]) / data.bucket > 5000) return points;
    var out = [], j = 0;
    for (var t = points[0][0]; t <= points[points.length - 1][0]; t += data.bucket) {
      if (points[j][0] === t) {
        out.push(points[j++]);
      } else {
        out.push([t, 0, 0, 0]);
      }
    }
    return out;
  }

  function spendOverTime(figure) {
    var points = filled(data.spend);
    var max = 0;
    points.forEach(function (p) { max = Math.max(max, p[1]); });
    if (points.length === 0 || max === 0) {
      empty(figure, 'No settled LLM spend in this log.');
      mark(figure, 0);
      return;
    }
    var f = frame(figure, max, usd, points[0][0], points[points.length - 1][0], data.bucket);
    var half = data.bucket / 2, line = '', area = '';
    points.forEach(function (p, i) {
      var xy = f.x(p[0] + half).toFixed(1) + ',' + f.y(p[1]).toFixed(1);
      line += (i === 0 ? 'M' : 'L') + xy;
    });
    area = line + 'L' + f.x(points[points.length - 1][0] + half).toFixed(1) + ',' + f.y(0) + 'L'
      + f.x(points[0][0] + half).toFixed(1) + ',' + f.y(0) + 'Z';
    svgEl('path', {d: area, 'class': 'area'}, f.svg);
    svgEl('path', {d: line, 'class': 'line'}, f.svg);
    points.forEach(function (p) {
      var c = svgEl('circle', {cx: f.x(p[0] + half), cy: f.y(p[1]), r: points.length > 60 ? 1.5 : 3,
        'class': 'dot'}, f.svg);
      svgEl('title', {}, c, when(p[0], data.bucket) + ': ' + usd(p[1]) + ' over ' + count(p[2]) + ' LLM calls');
    });
    mark(figure, points.length);
  }

  function spendByModel(figure) {
    var models = data.models;
    if (models.length === 0) {
      empty(figure, 'No LLM calls in this log.');
      mark(figure, 0);
      return;
    }
    var row = 26, labelW = 170, h = M.top + models.length * row + 8;
    var svg = svgEl('svg', {viewBox: '0 0 ' + W + ' ' + h, role: 'img', 'class': 'chart-svg'});
    figure.querySelector('.plot').appendChild(svg);
    var max = 0;
    models.forEach(function (m) { max = Math.max(max, m.usd); });
    var pw = W - labelW - 170;
    models.forEach(function (m, i) {
      var y = M.top + i * row;
      var name = m.name.length > 22 ? m.name.substring(0, 21) + '\u2026' : m.name;
      var label = svgEl('text', {x: labelW - 10, y: y + 15, 'text-anchor': 'end', 'class': 'label'}, svg, name);
      svgEl('title', {}, label, m.name);
      var w = max > 0 ? Math.max(1, (m.usd / max) * pw) : 1;
      var r = svgEl('rect', {x: labelW, y: y + 3, width: w, height: row - 9, rx: 3,
        fill: COLORS[i % COLORS.length]}, svg);
      svgEl('title', {}, r, m.name + ': ' + usd(m.usd) + ', ' + count(m.calls) + ' calls');
      svgEl('text', {x: labelW + w + 8, y: y + 15, 'class': 'value'}, svg, usd(m.usd) + '  \u00b7  '
        + count(m.calls) + ' calls');
    });
    mark(figure, models.length);
  }

  function budgetBurn(figure) {
    var series = data.budgets.filter(function (b) { return b.points.length > 0; });
    if (series.length === 0) {
      empty(figure, 'No budgets applied to the calls in this log.');
      mark(figure, 0);
      return;
    }
    var t0 = Infinity, t1 = -Infinity, max = 0;
    series.forEach(function (b) {
      b.points.forEach(function (p) {
        t0 = Math.min(t0, p[0]);
        t1 = Math.max(t1, p[0]);
        max = Math.max(max, p[1]);
      });
      if (b.limit !== null) max = Math.max(max, b.limit);
    });
    var f = frame(figure, max, usd, t0, t1, data.bucket);
    var half = data.bucket / 2, n = 0;
    var legend = document.createElement('ul');
    legend.className = 'legend';
    series.forEach(function (b, i) {
      var color = COLORS[i % COLORS.length];
      if (b.limit !== null) {
        var l = svgEl('line', {x1: M.left, x2: W - M.right, y1: f.y(b.limit), y2: f.y(b.limit), stroke: color,
          'class': 'limit'}, f.svg);
        svgEl('title', {}, l, b.label + ' limit ' + usd(b.limit));
      }
      // a gap in time or a drop (a new day, month or run started the budget again) starts a new segment
      var d = '';
      b.points.forEach(function (p, j) {
        var prev = b.points[j - 1];
        var join = prev && p[0] - prev[0] <= data.bucket && p[1] >= prev[1];
        d += (join ? 'L' : 'M') + f.x(p[0] + half).toFixed(1) + ',' + f.y(p[1]).toFixed(1);
      });
      svgEl('path', {d: d, stroke: color, 'class': 'series'}, f.svg);
      b.points.forEach(function (p) {
        var c = svgEl('circle', {cx: f.x(p[0] + half), cy: f.y(p[1]), r: 2.5, fill: color}, f.svg);
        svgEl('title', {}, c, b.label + ' at ' + when(p[0], data.bucket) + ': ' + usd(p[1])
          + (b.limit !== null ? ' of ' + usd(b.limit) : ''));
      });
      var item = document.createElement('li');
      var swatch = document.createElement('span');
      swatch.className = 'swatch c' + (i % COLORS.length);
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(b.label + (b.limit !== null ? ' (limit ' + usd(b.limit)
        + ', dashed)' : '')));
      legend.appendChild(item);
      n++;
    });
    figure.appendChild(legend);
    mark(figure, n);
  }

  var charts = {
    spend: spendOverTime,
    models: spendByModel,
    budgets: budgetBurn,
    refusals: function (figure) { timeBars(figure, data.spend, 3, '#dc2626', count, 'refusals'); }
  };
  var figures = document.querySelectorAll('figure[data-chart]');
  for (var i = 0; i < figures.length; i++) {
    charts[figures[i].getAttribute('data-chart')](figures[i]);
  }
  document.documentElement.setAttribute('data-rendered', drawn.join(','));
})();
